// The restart hook the aria2 lab test configures, standing in for `systemctl restart aria2`: it ends the
// running aria2c and starts it again inside the namespace with --listen-port=$AUTOSTUN_LISTEN_PORT.
// argv: <namespace> <pid file> <rpc host> <rpc port> <aria2c arguments…>
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

const [namespace, pidFile, rpcHost, rpcPort, ...args] = process.argv.slice(2);
const port = process.env.AUTOSTUN_LISTEN_PORT;
if (!port) throw new Error("AUTOSTUN_LISTEN_PORT is not set");

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const old = Number(readFileSync(pidFile, "utf8"));
if (alive(old)) process.kill(old, "SIGKILL");
while (alive(old)) await sleep(50);

const child = spawn("ip", ["netns", "exec", namespace, "aria2c", ...args, `--listen-port=${port}`], {
  detached: true,
  stdio: "ignore",
});
child.unref();
writeFileSync(pidFile, String(child.pid));

const answers = () =>
  new Promise((resolve) => {
    const socket = connect({ host: rpcHost, port: Number(rpcPort) });
    const done = (open) => {
      socket.destroy();
      resolve(open);
    };
    socket.once("connect", () => done(true)).once("error", () => done(false));
  });
// By time, not tries: a refused connect returns at once, and a loaded machine starts aria2c later. The
// bound stays below the 20 s the aria2 lab test gives the whole hook.
const deadline = Date.now() + 15_000;
while (!(await answers()) && Date.now() < deadline) await sleep(100);
