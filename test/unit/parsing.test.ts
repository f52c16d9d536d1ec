// Pure parsing: targets, IDs, global options and the subscription's local sources.
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArmEndpoint } from "../../src/azure/clouds.js";
import { parseUserAssignedId } from "../../src/azure/ids.js";
import { subscriptionFromLocal } from "../../src/azure/subscription.js";
import { describeTarget, parseTargets, targetFlags, targetResourceId } from "../../src/azure/target.js";
import { prepareOutputFile, readTextFile } from "../../src/commands/shared.js";
import { parseGlobals } from "../../src/context.js";
import { UsageError } from "../../src/errors.js";

const SUB = "11111111-2222-3333-4444-555555555555";

describe("parseTargets", () => {
  it("reads --webapp with -g and builds the resource ID", () => {
    const [t] = parseTargets({ webapp: "my-app", resourceGroup: "rg" });
    if (!t) throw new Error("no target");
    expect(t).toMatchObject({ kind: "webapp", name: "my-app", resourceGroup: "rg", fromId: false });
    expect(targetResourceId(t, SUB)).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Web/sites/my-app`,
    );
  });

  it("reads repeated --ids of both kinds, any casing", () => {
    const ts = parseTargets({
      ids: [
        `/subscriptions/${SUB}/resourcegroups/rg/providers/microsoft.web/sites/app1`,
        `/subscriptions/${SUB.toUpperCase()}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`,
      ],
    });
    expect(ts.map((t) => [t.kind, t.subscriptionId, t.name])).toEqual([
      ["webapp", SUB, "app1"],
      ["vm", SUB, "vm1"],
    ]);
  });

  it("reads a slot: --slot with --webapp or --functionapp, or its ID in any casing", () => {
    const [t] = parseTargets({ functionapp: "fn1", resourceGroup: "rg", slot: "staging" });
    if (!t) throw new Error("no target");
    expect(t).toMatchObject({ kind: "functionapp", name: "fn1", slot: "staging", fromId: false });
    expect(targetResourceId(t, SUB)).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Web/sites/fn1/slots/staging`,
    );
    expect(targetFlags(t, "")).toBe("--functionapp fn1 -g rg --slot staging");
    expect(describeTarget(t)).toBe("slot 'staging' of function app 'fn1' in resource group 'rg'");
    const [byId] = parseTargets({
      ids: [`/SUBSCRIPTIONS/${SUB}/resourcegroups/rg/PROVIDERS/microsoft.web/SITES/app1/Slots/blue`],
    });
    if (!byId) throw new Error("no target");
    expect(byId).toMatchObject({
      kind: "webapp",
      subscriptionId: SUB,
      name: "app1",
      slot: "blue",
      fromId: true,
    });
    // Rebuilt from its parts, in ARM's spelling.
    expect(targetResourceId(byId, "")).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Web/sites/app1/slots/blue`,
    );
  });

  it.each([
    [{}, /no target/],
    [{ webapp: "a1", functionapp: "b1", resourceGroup: "rg" }, /conflicting/],
    [{ webapp: "a1", ids: ["/x"] }, /conflicting/],
    [
      {
        ids: [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Web/sites/a1`],
        resourceGroup: "rg",
      },
      /cannot be combined/,
    ],
    [{ vm: "v1" }, /needs -g/],
    [{ vm: "bad name", resourceGroup: "rg" }, /invalid --vm name/],
    [{ webapp: "x".repeat(61), resourceGroup: "rg" }, /invalid --webapp name/],
    [
      { ids: [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Web/sites/a1/slots/s/config`] },
      /invalid --ids/,
    ],
    [
      { ids: [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Web/sites/a1/config/s`] },
      /invalid --ids/,
    ],
    [{ vm: "v1", resourceGroup: "rg", slot: "s" }, /--slot is for web apps/],
    [{ webapp: "a1", resourceGroup: "rg", slot: "a_b" }, /invalid --slot name/],
    [{ ids: [`/subscriptions/${SUB}//resourceGroups/rg/providers/Microsoft.Web/sites/a1`] }, /invalid --ids/],
  ])("refuses %j", (raw, message) => {
    expect(() => parseTargets(raw)).toThrow(UsageError);
    expect(() => parseTargets(raw)).toThrow(message);
  });
});

describe("parseUserAssignedId", () => {
  it("normalises the provider casing", () => {
    expect(
      parseUserAssignedId(
        `/subscriptions/${SUB}/resourceGroups/rg/providers/microsoft.managedidentity/userassignedidentities/id-1`,
      ),
    ).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-1`,
    );
  });
  it("refuses another resource type", () => {
    expect(() =>
      parseUserAssignedId(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Web/sites/a1`),
    ).toThrow(/userAssignedIdentities/);
  });
});

describe("parseGlobals", () => {
  it("defaults to json and the public cloud, honouring MIAUTH_OUTPUT and MIAUTH_ARM_ENDPOINT", () => {
    expect(parseGlobals({}, {})).toMatchObject({
      output: "json",
      armEndpoint: "https://management.azure.com",
    });
    const g = parseGlobals({}, { MIAUTH_OUTPUT: "tsv", MIAUTH_ARM_ENDPOINT: "https://127.0.0.1:8443/" });
    expect(g).toMatchObject({ output: "tsv", armEndpoint: "https://127.0.0.1:8443" });
    expect(g.cloud.armScope).toBe("https://management.azure.com/.default");
  });
  it("uses the sovereign cloud's endpoint and audience", () => {
    const g = parseGlobals({ cloud: "AzureUSGovernment" }, {});
    expect(g.armEndpoint).toBe("https://management.usgovcloudapi.net");
    expect(g.cloud.armScope).toBe("https://management.usgovcloudapi.net/.default");
  });
  it("keeps the token audience when only the endpoint is overridden", () => {
    const g = parseGlobals({ armEndpoint: "https://localhost:9999" }, {});
    expect(g.cloud.armScope).toBe("https://management.azure.com/.default");
  });
  it.each([
    [{ output: "xml" }, /invalid output format/],
    [{ query: "[?" }, /invalid JMESPath/],
    [{ cloud: "Moon" }, /unknown --cloud/],
    [{ armEndpoint: "not a url" }, /invalid ARM endpoint/],
  ])("refuses %j", (raw, message) => {
    expect(() => parseGlobals(raw, {})).toThrow(message);
  });
  it("refuses endpoints with query strings", () => {
    expect(() => parseArmEndpoint("https://h/?x=1")).toThrow(/no query/);
    expect(() => parseArmEndpoint("https://h/#")).toThrow(/no query/);
  });
  it.each([
    "https://user:pass@h",
    "https://user@h:8443/",
    "https://:pass@h",
    "https://@h",
    "https://u:p@h/?x=1",
  ])("refuses userinfo in %s and never echoes it", (value) => {
    let message = "";
    try {
      parseArmEndpoint(value);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /^invalid ARM endpoint 'https:\/\/…@h.*': no user name or password allowed in it$/,
    );
    expect(message).not.toMatch(/user[:@]|:pass|u:p@/);
  });
  it("does not echo userinfo in a URL it cannot parse either", () => {
    expect(() => parseArmEndpoint("https://user:pa ss@h:99999")).toThrow(
      /^invalid ARM endpoint 'https:\/\/…@h:99999'/,
    );
  });
  it.each(["dev", "PROD", " ManagedIdentityCredential ", "azureclicredential", ""])(
    "accepts AZURE_TOKEN_CREDENTIALS=%j",
    (value) => {
      expect(() => parseGlobals({}, { AZURE_TOKEN_CREDENTIALS: value })).not.toThrow();
    },
  );
  it.each(["Bogus", "DefaultAzureCredential", "dev,prod", "ManagedIdentity"])(
    "refuses AZURE_TOKEN_CREDENTIALS=%j",
    (value) => {
      expect(() => parseGlobals({}, { AZURE_TOKEN_CREDENTIALS: value })).toThrow(UsageError);
      expect(() => parseGlobals({}, { AZURE_TOKEN_CREDENTIALS: value })).toThrow(
        /invalid AZURE_TOKEN_CREDENTIALS/,
      );
    },
  );
  it("refuses unknown functions in --query", () => {
    expect(() => parseGlobals({ query: "nosuchfn(@)" }, {})).toThrow(UsageError);
  });
});

describe("subscriptionFromLocal", () => {
  it("prefers the flag, then AZURE_SUBSCRIPTION_ID, then the az profile", async () => {
    const dir = mkdtempSync(join(tmpdir(), "azcfg-"));
    const other = "99999999-2222-3333-4444-555555555555";
    writeFileSync(
      join(dir, "azureProfile.json"),
      `\uFEFF${JSON.stringify({
        subscriptions: [
          { id: "x", isDefault: false },
          { id: other, isDefault: true },
        ],
      })}`,
    );
    const env = { AZURE_CONFIG_DIR: dir };
    expect(await subscriptionFromLocal(SUB, env)).toEqual({ id: SUB, source: "--subscription" });
    expect(await subscriptionFromLocal("My Sub", env)).toEqual({ name: "My Sub" });
    expect(await subscriptionFromLocal(undefined, { ...env, AZURE_SUBSCRIPTION_ID: SUB })).toEqual({
      id: SUB,
      source: "AZURE_SUBSCRIPTION_ID",
    });
    expect(await subscriptionFromLocal(undefined, env)).toEqual({ id: other, source: "Azure CLI profile" });
    expect(await subscriptionFromLocal(undefined, { AZURE_CONFIG_DIR: join(dir, "none") })).toBeUndefined();
  });
});

describe("files the user names", () => {
  const dir = mkdtempSync(join(tmpdir(), "miauth-files-"));
  it("reads a small file", () => {
    const file = join(dir, "ids.txt");
    writeFileSync(file, "a\nb\n");
    expect(readTextFile("--f", file)).toBe("a\nb\n");
  });
  it("refuses more than 1 MiB, a device that never ends, a directory and a missing file", () => {
    const big = join(dir, "big.txt");
    writeFileSync(big, "x".repeat(1024 * 1024 + 1));
    expect(() => readTextFile("--f", big)).toThrow(/larger than 1 MiB/);
    expect(() => readTextFile("--f", "/dev/zero")).toThrow(/larger than 1 MiB/);
    expect(() => readTextFile("--f", dir)).toThrow(/cannot read --f .*EISDIR/);
    expect(() => readTextFile("--f", join(dir, "none"))).toThrow(/cannot read --f .*ENOENT/);
  });
  it("prepares an output file before the run: its directory is made, a file in the way refused", () => {
    expect(prepareOutputFile("--junit", join(dir, "report.xml"))).toBe(join(dir, "report.xml"));
    expect(() => prepareOutputFile("--junit", dir)).toThrow(/is a directory/);
    expect(prepareOutputFile("--junit", join(dir, "no", "such", "report.xml"))).toBe(
      join(dir, "no", "such", "report.xml"),
    );
    expect(statSync(join(dir, "no", "such")).isDirectory()).toBe(true);
    const file = join(dir, "plain");
    writeFileSync(file, "");
    expect(() => prepareOutputFile("--junit", join(file, "report.xml"))).toThrow(
      `'${file}' is not a directory`,
    );
    expect(() => prepareOutputFile("--junit", join(file, "a", "report.xml"))).toThrow(
      `'${file}' is not a directory`,
    );
  });
});
