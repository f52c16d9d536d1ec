// What the host's environment tells miauth about the app it runs (pure).
import { describe, expect, it } from "vitest";
import { appServiceHost, appServiceWithoutIdentity, hostFlags } from "../../src/azure/hosts.js";

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";

describe("appServiceHost", () => {
  it("reads the app's name, group and kind from App Service's variables", () => {
    expect(appServiceHost({ WEBSITE_SITE_NAME: "web", WEBSITE_RESOURCE_GROUP: "rg" })).toEqual({
      kind: "webapp",
      name: "web",
      resourceGroup: "rg",
    });
    expect(
      appServiceHost({
        WEBSITE_SITE_NAME: "fn",
        WEBSITE_RESOURCE_GROUP: "rg",
        FUNCTIONS_EXTENSION_VERSION: "~4",
      }),
    ).toMatchObject({ kind: "functionapp" });
    expect(appServiceHost({})).toBeNull();
  });

  it("falls back to WEBSITE_OWNER_NAME's {subscription}+{group}-{region}webspace[-Linux] for the group", () => {
    for (const [owner, group] of [
      [`${SUB}+my-rg-EastUSwebspace`, "my-rg"],
      [`${SUB}+my-rg-EastUSwebspace-Linux`, "my-rg"],
      [`${SUB}+rg-westeuropewebspace`, "rg"],
      ["nonsense", null],
    ] as const) {
      expect(
        appServiceHost({ WEBSITE_SITE_NAME: "a", WEBSITE_OWNER_NAME: owner })?.resourceGroup,
        owner,
      ).toBe(group);
    }
    expect(hostFlags({ kind: "webapp", name: "a", resourceGroup: null })).toBe(
      "--webapp a -g <resource-group>",
    );
  });

  it("names the deployment slot from WEBSITE_SLOT_NAME, and not the production one", () => {
    const app = { WEBSITE_SITE_NAME: "web", WEBSITE_RESOURCE_GROUP: "rg" };
    const slot = appServiceHost({ ...app, WEBSITE_SLOT_NAME: "staging" });
    expect(slot).toEqual({ kind: "webapp", name: "web", resourceGroup: "rg", slot: "staging" });
    expect(hostFlags(slot ?? { kind: "vm", name: "", resourceGroup: null })).toBe(
      "--webapp web -g rg --slot staging",
    );
    for (const value of ["Production", "production", "", "bad/slot"]) {
      expect(appServiceHost({ ...app, WEBSITE_SLOT_NAME: value })?.slot, value).toBeUndefined();
    }
  });
});

describe("appServiceWithoutIdentity", () => {
  const app = { WEBSITE_SITE_NAME: "web", WEBSITE_RESOURCE_GROUP: "rg" };
  it("is an App Service app with no identity endpoint and no other credential", () => {
    expect(appServiceWithoutIdentity(app)).toMatchObject({ name: "web" });
    expect(
      appServiceWithoutIdentity({ ...app, AZURE_TOKEN_CREDENTIALS: "ManagedIdentityCredential" }),
    ).not.toBeNull();
  });
  it("is not, when an endpoint or another credential is there, or outside App Service", () => {
    for (const extra of [
      { IDENTITY_ENDPOINT: "http://localhost:4141/MSI/token" },
      { MSI_ENDPOINT: "http://localhost:4141/MSI/token" },
      { AZURE_CLIENT_SECRET: "x" },
      { AZURE_FEDERATED_TOKEN_FILE: "/var/run/token" },
      { AZURE_TOKEN_CREDENTIALS: "dev" },
    ]) {
      expect(appServiceWithoutIdentity({ ...app, ...extra }), JSON.stringify(extra)).toBeNull();
    }
    expect(appServiceWithoutIdentity({})).toBeNull();
  });
});
