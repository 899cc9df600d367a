/** One reason a tunnel definition was refused, keyed like the config file's errors. */
export interface TunnelProblem {
  key: string;
  message: string;
}
