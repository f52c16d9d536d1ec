// Every fix verify can print, for every failure code and every kind of host (one whose group is unknown
// included), is text a user can paste: no placeholder to fill in.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { HostRef } from "../../src/azure/hosts.js";
import { diagnose } from "../../src/azure/verify/diagnosis.js";
import { ROOT } from "../helpers/cli.js";
import { PLACEHOLDER, shellWords } from "../helpers/fixes.js";

// Every case of diagnose(), read from its source so a new one cannot be left out.
const CODES = [
  ...readFileSync(join(ROOT, "src/azure/verify/diagnosis.ts"), "utf8").matchAll(/case "([A-Za-z_]+)":/g),
].map((m) => m[1] ?? "");

const HOSTS: (HostRef | undefined)[] = [
  undefined,
  { kind: "webapp", name: "msdocs-web", resourceGroup: "msdocs-sdk-auth-example" },
  { kind: "functionapp", name: "msdocs-func", resourceGroup: null },
  { kind: "vm", name: "msdocs-vm", resourceGroup: null },
];

describe("verify's fixes", () => {
  it("covers the codes diagnose() knows", () => {
    expect(CODES.length).toBeGreaterThan(15);
    expect(CODES).toContain("NoManagedIdentity");
  });

  it.each(CODES)("%s: no placeholder, with or without a host", (code) => {
    for (const host of HOSTS) {
      for (const access of ["read", "readwrite"]) {
        const { fix, cause } = diagnose(code, "the message", { account: "msdocsstorage", access, host });
        expect(fix, `${code} on ${JSON.stringify(host)}`).not.toMatch(PLACEHOLDER);
        expect(cause).not.toMatch(PLACEHOLDER);
      }
    }
  });

  it("the pattern catches the placeholders miauth used to print", () => {
    for (const old of [
      "miauth assign-role --assignee x --scope /subscriptions/<subscription>/resourceGroups/<account-group>/x",
      "pass --container NAME, then run verify again",
      "enable one: miauth enable --webapp NAME -g GROUP",
      "miauth enable --functionapp f -g rg --user-assigned ID",
      "remove that assignment (az role assignment delete --ids …) and run again",
      "(miauth roles list --search TEXT)",
    ])
      expect(old).toMatch(PLACEHOLDER);
    expect(
      'miauth assign-role --role "Storage Blob Data Reader" --storage-account msdocsstorage',
    ).not.toMatch(PLACEHOLDER);
  });

  it("shellWords splits as a shell does", () => {
    expect(shellWords(`miauth assign-role --role "Storage Blob Data Reader" --scope /a/b`)).toEqual([
      "miauth",
      "assign-role",
      "--role",
      "Storage Blob Data Reader",
      "--scope",
      "/a/b",
    ]);
    expect(() => shellWords("miauth a | b")).toThrow(/shell syntax/);
  });
});
