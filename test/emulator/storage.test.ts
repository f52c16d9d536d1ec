// Microsoft.Storage as the emulator answers it: the subscription's accounts (paged), an account's blob
// containers and one container, with the Storage RP's 404s (see src/emulator/README.md, "Storage").
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { RG, useEmulator } from "../helpers/emulator.js";

const OTHER = "msdocs-data";
const emu = useEmulator({
  blob: false,
  pageSize: 1,
  seed: {
    ...DEFAULT_WORLD,
    resourceGroups: [...DEFAULT_WORLD.resourceGroups, { name: OTHER, location: "eastus" }],
    storageAccounts: [
      ...(DEFAULT_WORLD.storageAccounts ?? []),
      { resourceGroup: OTHER, name: "msdocsarchive", containers: ["reports", "logs"] },
    ],
  },
});
const V = "api-version=2024-01-01";
const account = (rg: string, name: string) =>
  `${emu.current.rg(rg)}/providers/Microsoft.Storage/storageAccounts/${name}`;

describe("storage accounts and blob containers", () => {
  it("lists the subscription's accounts in pages with an absolute nextLink", async () => {
    const first = await emu.current.arm(
      "GET",
      `/subscriptions/${emu.current.sub}/providers/Microsoft.Storage/storageAccounts?${V}`,
    );
    expect(first.status).toBe(200);
    const items = first.body.value as { id: string; type: string; name: string }[];
    expect(items.map((a) => a.id)).toEqual([account(RG, "msdocsstorage")]);
    expect(items[0]?.type).toBe("Microsoft.Storage/storageAccounts");
    const next = new URL(String(first.body.nextLink));
    expect(next.origin).toBe(emu.current.url);
    const second = await emu.current.arm("GET", `${next.pathname}${next.search}`);
    expect((second.body.value as { id: string }[]).map((a) => a.id)).toEqual([
      account(OTHER, "msdocsarchive"),
    ]);
    expect(second.body.nextLink).toBeUndefined();
  });

  it("gets a container, and lists an account's containers", async () => {
    const id = `${account(OTHER, "msdocsarchive")}/blobServices/default/containers/logs`;
    const got = await emu.current.arm("GET", `${id}?${V}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id,
      name: "logs",
      type: "Microsoft.Storage/storageAccounts/blobServices/containers",
      properties: { publicAccess: "None" },
    });
    const list = await emu.current.arm(
      "GET",
      `${account(OTHER, "msdocsarchive")}/blobServices/default/containers?${V}`,
    );
    expect((list.body.value as { name: string }[]).map((c) => c.name)).toEqual(["logs"]);
    expect(list.body.nextLink).toBeDefined();
  });

  it("answers ContainerNotFound, ResourceNotFound and ResourceGroupNotFound as Storage and ARM do", async () => {
    const missing = await emu.current.arm(
      "GET",
      `${account(RG, "msdocsstorage")}/blobServices/default/containers/nosuch?${V}`,
    );
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: { code: "ContainerNotFound", message: "The specified container does not exist." },
    });
    const noAccount = await emu.current.arm(
      "GET",
      `${account(RG, "nosuch")}/blobServices/default/containers/x?${V}`,
    );
    expect(noAccount.status).toBe(404);
    expect((noAccount.body.error as { code: string }).code).toBe("ResourceNotFound");
    const noGroup = await emu.current.arm(
      "GET",
      `${account("nosuch", "msdocsstorage")}/blobServices/default/containers?${V}`,
    );
    expect((noGroup.body.error as { code: string }).code).toBe("ResourceGroupNotFound");
  });

  it("takes the storage api-versions from blob.json's first (2018-02-01) on, not older ones", async () => {
    const path = `${account(RG, "msdocsstorage")}/blobServices/default/containers/msdocs-container`;
    expect((await emu.current.arm("GET", `${path}?api-version=2018-02-01`)).status).toBe(200);
    const old = await emu.current.arm("GET", `${path}?api-version=2017-10-01`);
    expect(old.status).toBe(400);
    expect((old.body.error as { code: string }).code).toBe("NoRegisteredProviderFound");
  });
});
