// Product code must never recognise a failure by wording that only the emulator uses: it would pass every
// test here and miss the real thing on Azure. Every string in src/emulator that is not one of Azure's own
// texts (listed below, with where each is seen) is searched for in src/azure, src/commands and src/output:
// any run of four or more of its words (25+ characters) found there, in code or a regex, fails the test.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

/** Azure's own texts that the emulator repeats and miauth may match. */
const AZURE_TEXTS = [
  // App Service, only user-assigned identities and no client_id (Azure/azure-sdk-for-net#43691).
  "Unable to load the proper Managed Identity.",
  // App Service, a client_id it does not have (Azure.Identity's tests; Functions reports).
  "No MSI found for specified ClientId/ResourceId.",
  // IMDS with several user-assigned identities and none named (public AKS and VM reports).
  "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request",
  // ARM RoleAssignmentExists (azure-rest-api-specs examples, az CLI reports).
  "The role assignment already exists. The ID of the existing role assignment is",
  // Entra AADSTS700016 "Application with identifier '…' was not found in the directory '…'" (public reports).
  "' was not found in the directory '",
  // Entra AADSTS70021, a federated token no credential matches (Azure/azure-workload-identity#616).
  "No matching federated identity record found for presented assertion. Assertion Issuer: '",
  // ARM UnmatchedPrincipalType, typo included (Azure/azure-dev#5814, #3992, #2427).
  "' , which is different from specified PrinciaplType '",
];

/**
 * miauth's own words that `miauth emulator env` (src/emulator/index.ts) also prints: messages of the
 * local CLI about a stopped emulator, never a reply a client gets from Azure or from the emulator's wire.
 */
const MIAUTH_TEXTS = [": is the emulator running? ("];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

function withoutComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/** The emulator's strings (each part of a template between `${…}`) of four words or more. */
function emulatorTexts(sources: string[]): string[] {
  const found = new Set<string>();
  for (const src of sources) {
    for (const m of withoutComments(src).matchAll(/"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)) {
      for (const part of (m[1] ?? m[2] ?? "").split(/\$\{[^}]*\}/)) {
        const text = part.trim();
        if (text.split(/\s+/).length >= 4) found.add(text);
      }
    }
  }
  const real = [...AZURE_TEXTS, ...MIAUTH_TEXTS].map((t) => t.toLowerCase());
  return [...found].filter(
    (t) => !real.some((r) => r.includes(t.toLowerCase()) || t.toLowerCase().includes(r)),
  );
}

/** Runs of 4+ words (25+ characters) of `text` that appear in `product` (lower-cased, comments removed). */
function sharedWording(text: string, product: string): string[] {
  const words = text.split(/\s+/);
  const hits: string[] = [];
  for (let i = 0; i < words.length; i++) {
    for (let j = i + 4; j <= words.length; j++) {
      const run = words.slice(i, j).join(" ");
      if (run.length >= 25 && product.includes(run.toLowerCase())) hits.push(run);
    }
  }
  return hits;
}

const read = (dir: string) => files(join(ROOT, dir)).map((f) => [relative(ROOT, f), readFileSync(f, "utf8")]);

describe("no emulator-only wording in product code", () => {
  const texts = emulatorTexts(read("src/emulator").map(([, s]) => s ?? ""));

  it("collects the emulator's own error texts (and not Azure's)", () => {
    expect(texts).toContain("No Managed Identity found for the given resource.");
    expect(texts.some((t) => t.includes("in the emulator"))).toBe(true);
    expect(texts).not.toContain("Unable to load the proper Managed Identity.");
  });

  it("finds a match the way the old data-plane check had one", () => {
    const old = '/No Managed Identity found|no managed identity/i.test(e.message ?? "")'.toLowerCase();
    expect(sharedWording("No Managed Identity found for the given resource.", old)).toEqual([
      "No Managed Identity found",
    ]);
  });

  it("src/azure, src/commands and src/output use none of it", () => {
    const product = ["src/azure", "src/commands", "src/output"].flatMap(read);
    const found = texts.flatMap((t) =>
      product.flatMap(([file, src]) =>
        sharedWording(t, withoutComments(src ?? "").toLowerCase()).map(
          (run) => `${file}: "${run}" (from "${t}")`,
        ),
      ),
    );
    expect(found).toEqual([]);
  });
});
