/** A security product we know how to advise about. */
export interface KnownProduct {
  /** Key of its advice in the message catalog (`allow.<id>`). */
  id: string;
  name: string;
  /** Matches the `displayName` Windows Security Center reports. */
  windowsName?: RegExp;
  /** Matches a process name (`/proc/<pid>/comm` is cut to 15 characters; `ps -c` on macOS). */
  process?: RegExp;
  /**
   * False for products that only scan files (ClamAV, Defender's antivirus): they are listed as facts
   * but never warned about, because they cannot drop inbound connections.
   */
  filtersNetwork: boolean;
}

/** Ordered: the first match wins, so specific names come before broad ones. */
export const KNOWN_PRODUCTS: readonly KnownProduct[] = [
  {
    id: "kaspersky",
    name: "Kaspersky",
    windowsName: /kaspersky/i,
    process: /^(kesl|klnagent|avp)$/i,
    filtersNetwork: true,
  },
  {
    id: "eset",
    name: "ESET",
    windowsName: /\beset\b/i,
    process: /^(esets|eset_|oaeventd)/i,
    filtersNetwork: true,
  },
  {
    id: "norton",
    name: "Norton",
    windowsName: /norton|symantec/i,
    process: /^(symcfgd|rtvscand|norton)/i,
    filtersNetwork: true,
  },
  {
    id: "mcafee",
    name: "McAfee / Trellix",
    windowsName: /mcafee|trellix/i,
    process: /^(mfetpd|mfeespd|masvc|mfefw)/i,
    filtersNetwork: true,
  },
  { id: "huorong", name: "Huorong (火绒)", windowsName: /huorong|火绒/i, filtersNetwork: true },
  {
    id: "tencent",
    name: "Tencent PC Manager (电脑管家)",
    windowsName: /tencent|电脑管家|qqpcmgr/i,
    filtersNetwork: true,
  },
  { id: "qihoo360", name: "360 Security (360安全卫士)", windowsName: /\b360|qihoo/i, filtersNetwork: true },
  {
    id: "bitdefender",
    name: "Bitdefender",
    windowsName: /bitdefender/i,
    process: /^(bdsecd|bdedr|epag)/i,
    filtersNetwork: true,
  },
  { id: "avast", name: "Avast", windowsName: /avast/i, filtersNetwork: true },
  { id: "avg", name: "AVG", windowsName: /\bavg\b/i, filtersNetwork: true },
  {
    id: "crowdstrike",
    name: "CrowdStrike Falcon",
    windowsName: /crowdstrike|falcon/i,
    process: /^falcon/i,
    filtersNetwork: true,
  },
  {
    id: "sentinelone",
    name: "SentinelOne",
    windowsName: /sentinel\s?one/i,
    process: /^(s1-|sentinelone)/i,
    filtersNetwork: true,
  },
  {
    id: "sophos",
    name: "Sophos",
    windowsName: /sophos/i,
    process: /^(sophos|savd|mcsagent|soapd)/i,
    filtersNetwork: true,
  },
  {
    id: "trendmicro",
    name: "Trend Micro",
    windowsName: /trend\s?micro/i,
    process: /^ds_(agent|am)$/i,
    filtersNetwork: true,
  },
  { id: "opensnitch", name: "OpenSnitch", process: /^opensnitchd$/i, filtersNetwork: true },
  {
    id: "portmaster",
    name: "Safing Portmaster",
    windowsName: /portmaster/i,
    process: /^portmaster/i,
    filtersNetwork: true,
  },
  { id: "littlesnitch", name: "Little Snitch", process: /little ?snitch/i, filtersNetwork: true },
  { id: "lulu", name: "LuLu", process: /^lulu$/i, filtersNetwork: true },
  {
    id: "defender",
    name: "Microsoft Defender",
    windowsName: /windows defender|microsoft defender/i,
    process: /^wdavdaemon$/i,
    filtersNetwork: false,
  },
  { id: "clamav", name: "ClamAV", process: /^(clamd|freshclam|clamonacc)$/i, filtersNetwork: false },
];

/** The product a Windows Security Center name belongs to, if we know it. */
export function productByWindowsName(displayName: string): KnownProduct | undefined {
  return KNOWN_PRODUCTS.find((p) => p.windowsName?.test(displayName));
}

/** The product a process name belongs to, if we know it. */
export function productByProcess(comm: string): KnownProduct | undefined {
  return KNOWN_PRODUCTS.find((p) => p.process?.test(comm));
}
