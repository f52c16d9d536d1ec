// What `npm run demo` and `npm run demo:setup` share: the emulator in this process, the operator's
// environment, and running the built CLI as a user (or as the web app) would, printed as in a terminal.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startEmulator } from "../dist/emulator/index.js";

const bin = fileURLToPath(new URL("../bin/miauth.js", import.meta.url));
// MIAUTH_NODE runs the CLI on another Node than the emulator's (CI: the lowest one `engines` allows).
const node = process.env.MIAUTH_NODE || process.execPath;
export const rg = "msdocs-sdk-auth-example";

export async function startDemo(options) {
  const emulator = await startEmulator(options);
  const env = { ...process.env, ...emulator.operatorEnv };
  for (const name of ["AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID"]) delete env[name];
  for (const name of ["MIAUTH_OUTPUT", "MIAUTH_CLOUD", "AZURE_CONFIG_DIR"]) delete env[name];
  const site = `/subscriptions/${emulator.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Web/sites/msdocs-web`;
  return {
    emulator,
    /** As the operator; resolves with the exit code. */
    miauth: (...args) => run(env, args),
    /** As the web app itself: only what App Service gives it (its identity endpoint, its settings). */
    asApp: (...args) =>
      run({ PATH: process.env.PATH, HOME: process.env.HOME, ...emulator.envFor(site) }, args, "app$"),
  };
}

export function step(title) {
  process.stdout.write(`\n# ${title}\n`);
}

function run(env, args, prompt = "$") {
  process.stdout.write(`${prompt} miauth ${args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(" ")}\n`);
  // Asynchronous: the emulator runs in this process and must keep answering.
  const child = spawn(node, [bin, ...args], { env, stdio: ["ignore", "inherit", "inherit"] });
  return new Promise((resolve) =>
    child.on("close", (code) => {
      if (code !== 0) process.stdout.write(`(exit ${code})\n`);
      resolve(code);
    }),
  );
}

/** The line every demo ends with: how to try the same by hand. */
export function tryItYourself() {
  process.stdout.write(
    "\nTry it by hand: npx miauth emulator start, then source the env.sh it prints, then run any command above.\n",
  );
}
