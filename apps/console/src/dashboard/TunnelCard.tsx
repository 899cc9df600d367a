import { useState } from "react";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/I18nContext.js";
import { Ipv6Panel } from "../ipv6/Ipv6Panel.js";
import { copyText } from "./copyText.js";
import { DownloaderPanel } from "./DownloaderPanel.js";
import { formatRate, formatSpan } from "./format.js";
import { HooksPanel } from "./HooksPanel.js";
import { openSince } from "./openSince.js";
import { Sparkline } from "./Sparkline.js";
import type { ThroughputPoint } from "./throughput.js";
import type { Tunnel, TunnelState } from "./types.js";
import { UdpPanel } from "./UdpPanel.js";
import { UpnpPanel } from "./UpnpPanel.js";

/** Shown for a counter the daemon does not know (null), so it never reads as a measured zero. */
const UNKNOWN_COUNT = "–";

interface TunnelCardProps {
  tunnel: Tunnel;
  history: readonly ThroughputPoint[];
  /** When the page saw it turn OPEN: the uptime start until `Tunnel.openSince` arrives. */
  openSeenAt: number | undefined;
  now: number;
  busy: boolean;
  onStart(): void;
  onStop(): void;
  onPush(): void;
  pushing: boolean;
  pushError: string | undefined;
}

const pathLabel: Record<Tunnel["path"], MessageKey> = {
  USERSPACE: "dashboard.path.USERSPACE",
  NFTABLES: "dashboard.path.NFTABLES",
  DIRECT_DOWNLOADER: "dashboard.path.DIRECT_DOWNLOADER",
};

const tunnelStates: readonly string[] = [
  "STOPPED",
  "OPENING",
  "OPEN",
  "RECOVERING",
  "FAILED",
] satisfies TunnelState[];

/** A state a newer daemon added has no words here: it is shown by its own name rather than as a blank. */
function isKnownState(state: string): state is TunnelState {
  return tunnelStates.includes(state);
}

/** One tunnel: where peers connect, how they get through, what it has done, and start/stop. */
export function TunnelCard({
  tunnel,
  history,
  openSeenAt,
  now,
  busy,
  onStart,
  onStop,
  onPush,
  pushing,
  pushError,
}: TunnelCardProps) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const address = tunnel.publicAddress ? `${tunnel.publicAddress.ip}:${tunnel.publicAddress.port}` : null;
  const since = openSince(tunnel, openSeenAt);
  const keepalive = tunnel.lastKeepaliveAt ? now - Date.parse(tunnel.lastKeepaliveAt) : null;
  // Undefined until two counter readings have been taken: one reading has no rate, and 0 would read as measured.
  const rate = history.at(-1)?.perSecond;
  const running = tunnel.state !== "STOPPED" && tunnel.state !== "FAILED";
  const downloader = tunnel.downloader;
  const headingId = `tunnel-${tunnel.id}-title`;

  const copy = async () => {
    if (!address) return;
    setCopied(await copyText(address));
    setTimeout(() => setCopied(false), 2_000);
  };

  return (
    <article
      className="tunnel"
      data-tunnel-id={tunnel.id}
      data-state={tunnel.state}
      aria-labelledby={headingId}
    >
      <header className="tunnel__head">
        <h3 className="tunnel__title" id={headingId}>
          {tunnel.id}
        </h3>
        <span className={`tunnel__state tunnel__state--${tunnel.state.toLowerCase()}`} data-tunnel-state>
          {isKnownState(tunnel.state) ? t(`dashboard.state.${tunnel.state}`) : tunnel.state}
        </span>
      </header>
      <p className="tunnel__reason">{tunnel.reason}</p>

      <div className="tunnel__address">
        <span className="tunnel__label">{t("dashboard.publicAddress")}</span>
        <code className="tunnel__public" data-public-address>
          {address ?? "—"}
        </code>
        <button
          type="button"
          className="button button--small button--ghost"
          onClick={() => void copy()}
          disabled={!address}
          aria-label={t("dashboard.copyAddress", { tunnel: tunnel.id })}
        >
          {copied ? t("dashboard.copied") : t("dashboard.copy")}
        </button>
      </div>

      <dl className="tunnel__facts">
        <div>
          <dt>{t("dashboard.path")}</dt>
          <dd title={tunnel.pathCost}>
            {/* A path a newer daemon added is shown by its own name, not passed off as user space. */}
            {Object.hasOwn(pathLabel, tunnel.path) ? t(pathLabel[tunnel.path]) : tunnel.path}
          </dd>
        </div>
        <div>
          <dt>{t("dashboard.localPort")}</dt>
          <dd className="num" data-local-port>
            {tunnel.localPort ?? "—"}
            {/* Behind an nftables redirect this process listens on a relay port of its own. */}
            {tunnel.listenPort !== null && tunnel.listenPort !== tunnel.localPort && (
              <span className="tunnel__aside">
                {" "}
                · {t("dashboard.relayPort", { port: tunnel.listenPort })}
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>{t("dashboard.privateAddress")}</dt>
          <dd data-private-address>
            {tunnel.privateAddress ? (
              <code>
                {/* A phone breaks the line after the colon rather than inside the port. */}
                {tunnel.privateAddress.ip}:<wbr />
                {tunnel.privateAddress.port}
              </code>
            ) : (
              "—"
            )}
          </dd>
        </div>
        <div>
          <dt>{t("dashboard.target")}</dt>
          <dd>
            <code>{tunnel.target}</code>
          </dd>
        </div>
        <div>
          <dt>{t("dashboard.uptime")}</dt>
          <dd className="num" data-uptime title={since === null ? t("dashboard.uptimeUnknown") : undefined}>
            {since === null ? "—" : formatSpan(now - since)}
          </dd>
        </div>
        <div>
          <dt>{t("dashboard.keepalive")}</dt>
          <dd className="num">
            {keepalive === null ? "—" : t("dashboard.ago", { span: formatSpan(keepalive) })}
          </dd>
        </div>
        <div>
          <dt>{t("dashboard.recoveries")}</dt>
          <dd className="num" data-recoveries>
            {tunnel.recoveryCount}
          </dd>
        </div>
      </dl>

      <ul className="tunnel__counters">
        <li>
          <span className="num" data-counter="active">
            {tunnel.stats.active ?? UNKNOWN_COUNT}
          </span>
          {t("dashboard.active")}
        </li>
        <li>
          <span className="num" data-counter="handled">
            {tunnel.stats.handled ?? UNKNOWN_COUNT}
          </span>
          {t("dashboard.handled")}
        </li>
        <li>
          <span className="num" data-counter="blocked">
            {tunnel.stats.blocked ?? UNKNOWN_COUNT}
          </span>
          {t("dashboard.blocked")}
        </li>
      </ul>

      <div className="tunnel__throughput">
        <Sparkline points={history} label={t("dashboard.throughputChart", { tunnel: tunnel.id })} />
        <span className="num tunnel__rate">{rate === undefined ? "—" : formatRate(rate)}</span>
      </div>

      {tunnel.udp && <UdpPanel tunnelId={tunnel.id} udp={tunnel.udp} now={now} />}
      {downloader && (
        <DownloaderPanel
          tunnelId={tunnel.id}
          downloader={downloader}
          open={tunnel.state === "OPEN"}
          now={now}
          onPush={onPush}
          pushing={pushing}
          pushError={pushError}
        />
      )}
      {tunnel.upnp && <UpnpPanel tunnelId={tunnel.id} upnp={tunnel.upnp} now={now} />}
      {tunnel.ipv6 && <Ipv6Panel tunnelId={tunnel.id} ipv6={tunnel.ipv6} now={now} />}
      {tunnel.hooks && <HooksPanel tunnelId={tunnel.id} hooks={tunnel.hooks} now={now} />}

      <div className="tunnel__actions">
        <button type="button" className="button button--small" onClick={onStart} disabled={busy || running}>
          {t("dashboard.start")}
        </button>
        <button type="button" className="button button--small" onClick={onStop} disabled={busy || !running}>
          {t("dashboard.stop")}
        </button>
      </div>
    </article>
  );
}
