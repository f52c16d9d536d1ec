// verify as an app sees its host: App Service's variables (no IDENTITY_ENDPOINT without an identity), a
// VM's IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST). Without a usable identity it says so and names the fix
// with the app's own name and group; with one and its role, it passes.
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { type Report, RG, step } from "../helpers/verify.js";

const emu = useEmulator({ dataPlaneDelayMs: 0, replicationDelayMs: 0 });

/** `verify` as an app on this host, with only what the host (and the emulator's plumbing) gives it. */
function asHost(id: string, extra: Record<string, string | undefined> = {}) {
  return runCli(["verify"], { env: { ...emu.current.handle.envFor(id), ...extra } });
}

async function identityRequests(): Promise<number> {
  return (await emu.current.requests()).filter((r) => r.kind === "identity").length;
}

describe("verify as an app without a usable managed identity", () => {
  it("a web app without an identity: no identity endpoint, exit 4, the fix names the app and its group", async () => {
    const r = await asHost(emu.current.siteId("msdocs-web"));
    expect(r.code).toBe(4);
    const report = json<Report>(r);
    expect(step(report, "credential")).toMatchObject({ status: "fail", code: "NoManagedIdentity" });
    expect(step(report, "credential")?.cause).toMatch(/^the web app 'msdocs-web' has no managed identity/);
    expect(report.fix).toBe(`enable one: miauth enable --webapp msdocs-web -g ${RG}`);
    expect(r.stderr).toMatch(
      new RegExp(`^fix: +enable one: miauth enable --webapp msdocs-web -g ${RG}$`, "m"),
    );
    // Nothing asked for a token: App Service has no endpoint for it, and IMDS is never tried.
    expect(await identityRequests()).toBe(0);
    // Another command in the same app: one line, exit 4, still without a token request.
    const env = emu.current.handle.envFor(emu.current.siteId("msdocs-web"));
    const show = await runCli(["show", "--webapp", "msdocs-web", "-g", RG], { env });
    expect(show.code).toBe(4);
    expect(show.stderr).toMatch(/^error: .*tried ManagedIdentityCredential \(no managed identity here\)$/m);
    expect(await identityRequests()).toBe(0);
  });

  it("a function app without an identity is named as one (FUNCTIONS_EXTENSION_VERSION)", async () => {
    const id = emu.current.siteId("msdocs-func");
    await emu.current.arm("PATCH", `${id}?api-version=2025-05-01`, { identity: { type: "None" } });
    const r = await asHost(id);
    expect(r.code).toBe(4);
    expect(json<Report>(r).fix).toBe(`enable one: miauth enable --functionapp msdocs-func -g ${RG}`);
  });

  it("a VM without an identity, through IMDS: 'Identity not found', the fix names the VM from instance metadata", async () => {
    const r = await asHost(emu.current.vmId("msdocs-vm"));
    expect(r.code).toBe(4);
    const report = json<Report>(r);
    expect(step(report, "credential")).toMatchObject({
      status: "fail",
      code: "NoManagedIdentity",
      message: "Identity not found",
    });
    expect(report.fix).toBe(`enable one: miauth enable --vm msdocs-vm -g ${RG}`);
    expect(await identityRequests()).toBeGreaterThan(0);
  });

  it("a function app with only a user-assigned identity and no AZURE_CLIENT_ID: set AZURE_CLIENT_ID", async () => {
    const r = await asHost(emu.current.siteId("msdocs-func"));
    expect(r.code).toBe(4);
    const report = json<Report>(r);
    expect(step(report, "credential")).toMatchObject({
      code: "NoDefaultManagedIdentity",
      message: "Unable to load the proper Managed Identity.",
    });
    expect(report.fix).toBe(
      `set AZURE_CLIENT_ID to the client ID of one of its user-assigned identities (miauth show --functionapp msdocs-func -g ${RG} lists them)`,
    );
  });

  it("AZURE_CLIENT_ID that is none of the app's identities: says so, and how to attach one", async () => {
    const notOurs = { AZURE_CLIENT_ID: emu.current.handle.tenantId };
    const r = await asHost(emu.current.siteId("msdocs-func"), notOurs);
    expect(r.code).toBe(4);
    const report = json<Report>(r);
    expect(step(report, "credential")).toMatchObject({
      code: "ManagedIdentityNotOnHost",
      message: "No MSI found for specified ClientId/ResourceId.",
    });
    expect(report.fix).toMatch(/^set AZURE_CLIENT_ID to the client ID of one of its identities/);
    expect(report.fix).toContain(
      "or attach that identity to the function app 'msdocs-func' (miauth enable with --user-assigned)",
    );
    // The same on a VM, whose IMDS says only "Identity not found".
    await emu.current.enableSystem(emu.current.vmId("msdocs-vm"));
    const vm = json<Report>(await asHost(emu.current.vmId("msdocs-vm"), notOurs));
    expect(step(vm, "credential")).toMatchObject({
      code: "ManagedIdentityNotOnHost",
      message: "Identity not found",
    });
    expect(vm.fix).toContain(`miauth show --vm msdocs-vm -g ${RG} lists them`);
  });
});

describe("verify as a VM through IMDS", () => {
  it("passes once the VM has an identity and its data role", async () => {
    const vm = emu.current.vmId("msdocs-vm");
    const principalId = await emu.current.enableSystem(vm);
    await emu.current.assignRole(principalId, "Storage Blob Data Reader");
    const r = await asHost(vm);
    expect(r.code).toBe(0);
    const report = json<Report>(r);
    expect(report.result).toBe("pass");
    expect(report.identity).toMatchObject({
      credential: "ManagedIdentityCredential",
      objectId: principalId,
      resourceId: vm.replace("resourceGroups", "resourcegroups"),
    });
    const tokens = (await emu.current.requests()).filter((q) => q.kind === "identity");
    expect(tokens.map((q) => [q.path, q.principalId])).toContainEqual([
      "/metadata/identity/oauth2/token/",
      principalId,
    ]);
  });
});
