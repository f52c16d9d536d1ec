// The modules that build an SDK context themselves (to load one operation group, not the whole client)
// send what the published client sends: the same User-Agent, built from the same prefix.
import { WebSiteManagementClient } from "@azure/arm-appservice";
import { ComputeManagementClient } from "@azure/arm-compute";
import type { TokenCredential } from "@azure/core-auth";
import { createHttpHeaders, type HttpClient, type PipelineRequest } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { createAppSettingsOps } from "../../src/azure/app-settings-client.js";
import { createVirtualMachines } from "../../src/azure/virtual-machines.js";
import { createWebApps } from "../../src/azure/web-apps.js";

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const credential: TokenCredential = {
  getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** Options as clients.ts gives them, with an HTTP client that answers `{}` and keeps each User-Agent. */
function optionsSeen() {
  const agents: string[] = [];
  const httpClient: HttpClient = {
    sendRequest: async (request: PipelineRequest) => {
      agents.push(request.headers.get("user-agent") ?? "");
      return {
        request,
        status: 200,
        headers: createHttpHeaders({ "content-type": "application/json" }),
        bodyAsText: "{}",
      };
    },
  };
  const options = {
    endpoint: "https://127.0.0.1:9",
    credentials: { scopes: ["https://management.azure.com/.default"] },
    userAgentOptions: { userAgentPrefix: "miauth/9.9.9" },
    httpClient,
  };
  return { options, agents };
}

describe("a context built here is the published client's", () => {
  it("web apps and app settings send WebSiteManagementClient's User-Agent", async () => {
    const ours = optionsSeen();
    await createWebApps(credential, SUB, ours.options).webApps.get("rg", "web");
    await createAppSettingsOps(credential, SUB, ours.options).list({ group: "rg", site: "web" });
    const theirs = optionsSeen();
    const client = new WebSiteManagementClient(credential, SUB, theirs.options);
    await client.webApps.get("rg", "web");
    await client.webApps.listApplicationSettings("rg", "web");
    expect(theirs.agents[0]).toMatch(/^miauth\/9\.9\.9 azsdk-js-client .*azsdk-js-arm-appservice\//);
    expect(ours.agents).toEqual(theirs.agents);
  });

  it("virtual machines send ComputeManagementClient's User-Agent", async () => {
    const ours = optionsSeen();
    await createVirtualMachines(credential, SUB, ours.options).virtualMachines.get("rg", "vm");
    const theirs = optionsSeen();
    await new ComputeManagementClient(credential, SUB, theirs.options).virtualMachines.get("rg", "vm");
    expect(theirs.agents[0]).toMatch(/^miauth\/9\.9\.9 azsdk-js-client .*azsdk-js-arm-compute\//);
    expect(ours.agents).toEqual(theirs.agents);
  });
});
