// Runs the built CLI as bin/miauth.js does, but through main()'s watchOptions: every option the running
// command's action reads (get or `in`) is appended, as one JSON line, to the file MIAUTH_WATCH_FILE
// names, as it happens (a command that ends on a signal still leaves its record). The first line of a
// run names the command and the options commander declared for it. test/e2e/help.test.ts reads them.
import { appendFileSync } from "node:fs";

const file = process.env.MIAUTH_WATCH_FILE ?? "";
const { main } = await import(new URL("../../dist/cli.js", import.meta.url).href);
const record = (line) => appendFileSync(file, `${JSON.stringify(line)}\n`);

process.exitCode = await main(process.argv, {
  watchOptions(cmd, opts) {
    const path = [];
    for (let c = cmd; c.parent; c = c.parent) path.unshift(c.name());
    // What help offers: a hidden option (-n, which only says which flag to use) is not offered.
    const declared = cmd.options
      .filter((o) => !o.hidden)
      .map((o) => ({ flags: o.flags, attribute: o.attributeName() }));
    record({ command: path.join(" "), declared });
    const seen = new Set();
    const read = (key) => {
      if (typeof key !== "string" || seen.has(key)) return;
      seen.add(key);
      record({ read: key });
    };
    return new Proxy(opts, {
      get(target, key, receiver) {
        read(key);
        return Reflect.get(target, key, receiver);
      },
      has(target, key) {
        read(key);
        return Reflect.has(target, key);
      },
      // Enumerating the options reads none in particular: the test refuses it (it would hide an unread one).
      ownKeys(target) {
        record({ enumerated: true });
        return Reflect.ownKeys(target);
      },
    });
  },
});
setTimeout(() => process.exit(), 1000).unref();
