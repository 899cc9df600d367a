/** DI tokens of the daemon's own services (extension-facing tokens live in @autostun/plugins-api). */
export const Tokens = {
  Config: Symbol.for("autostun.server.Config"),
  RootLogger: Symbol.for("autostun.server.RootLogger"),
  Bus: Symbol.for("autostun.server.Bus"),
  Database: Symbol.for("autostun.server.Database"),
  CheckStore: Symbol.for("autostun.server.CheckStore"),
  ExtensionHost: Symbol.for("autostun.server.ExtensionHost"),
  CheckEngine: Symbol.for("autostun.server.CheckEngine"),
  ExtensionSources: Symbol.for("autostun.server.ExtensionSources"),
} as const;
