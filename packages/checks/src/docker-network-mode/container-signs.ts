import type { SystemFiles } from "@autostun/plugins-api";

/** Which engine runs the container, as far as its traces tell. */
export type ContainerRuntime = "docker" | "podman" | "containerd" | "lxc" | "unknown";

/** One trace of a container found on the file system, with where it was seen. */
export interface ContainerSign {
  runtime: ContainerRuntime;
  source: string;
  detail: string;
}

const CGROUP_MARKERS: ReadonlyArray<[RegExp, ContainerRuntime]> = [
  [/\/docker[-/]/, "docker"],
  [/libpod|\/podman/, "podman"],
  [/kubepods|containerd|cri-containerd/, "containerd"],
  [/\/lxc[./]/, "lxc"],
];

const MOUNT_MARKERS: ReadonlyArray<[RegExp, ContainerRuntime]> = [
  [/\/var\/lib\/docker\//, "docker"],
  [/\/var\/lib\/containers\/|\/containers\/storage\/|\/run\/containers\//, "podman"],
  [/\/var\/lib\/containerd\/|\/run\/containerd\/|\/var\/lib\/kubelet\/pods\//, "containerd"],
];

/**
 * Collects container traces: the marker files Docker and Podman drop in the root, cgroup paths
 * (cgroup v1, and v2 hosts that still show the path) and bind mounts from an engine's storage.
 * On cgroup v2 Docker shows only `0::/`, so the files and mounts matter as much as the cgroup.
 */
export async function findContainerSigns(files: SystemFiles): Promise<ContainerSign[]> {
  const signs: ContainerSign[] = [];
  if (await files.exists("/.dockerenv"))
    signs.push({ runtime: "docker", source: "/.dockerenv", detail: "marker file present" });
  if (await files.exists("/run/.containerenv")) {
    const env = (await files.readText("/run/.containerenv")) ?? "";
    const engine = /^engine="([^"]*)"/m.exec(env)?.[1];
    signs.push({
      runtime: "podman",
      source: "/run/.containerenv",
      detail: engine ? `engine ${engine}` : "marker file present",
    });
  }
  const cgroup = (await files.readText("/proc/1/cgroup")) ?? "";
  for (const line of cgroup.split("\n")) {
    const hit = CGROUP_MARKERS.find(([pattern]) => pattern.test(line));
    if (hit) {
      signs.push({ runtime: hit[1], source: "/proc/1/cgroup", detail: line.trim() });
      break;
    }
  }
  const mounts = (await files.readText("/proc/self/mountinfo")) ?? "";
  for (const line of mounts.split("\n")) {
    const hit = MOUNT_MARKERS.find(([pattern]) => pattern.test(line));
    if (hit) {
      signs.push({ runtime: hit[1], source: "/proc/self/mountinfo", detail: mountPointOf(line) });
      break;
    }
  }
  return signs;
}

/** Field 5 of a mountinfo line is the mount point inside this namespace; enough to show as evidence. */
function mountPointOf(line: string): string {
  const fields = line.split(" ");
  return `${fields[4] ?? "?"} from ${fields[3] ?? "?"}`;
}

/** The runtime most signs agree on; Podman's own marker wins over its Docker-compatible one. */
export function runtimeOf(signs: readonly ContainerSign[]): ContainerRuntime | null {
  if (signs.length === 0) return null;
  if (signs.some((s) => s.runtime === "podman")) return "podman";
  return signs[0]?.runtime ?? "unknown";
}
