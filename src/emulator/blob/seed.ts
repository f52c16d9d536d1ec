// Talks to Azurite directly (not through the gate) to put the world's containers and blobs in place.

import { request } from "node:https";
import type { WorldStorageAccount } from "../world.js";

export interface AzuriteAdmin {
  url: string;
  ca: string;
  /** A storage-audience bearer token: Azurite grants every well-formed one full access. */
  token(): Promise<string>;
}

const VERSION = "2025-11-05";

async function call(
  admin: AzuriteAdmin,
  method: string,
  path: string,
  body?: string,
  extra: Record<string, string> = {},
): Promise<string> {
  const headers: Record<string, string> = {
    ...extra,
    Authorization: `Bearer ${await admin.token()}`,
    "x-ms-version": VERSION,
    "x-ms-date": new Date().toUTCString(),
  };
  if (body !== undefined) {
    headers["x-ms-blob-type"] = "BlockBlob";
    headers["Content-Type"] = "text/plain; charset=utf-8";
    headers["Content-Length"] = String(Buffer.byteLength(body));
  }
  return new Promise((ok, fail) => {
    const req = request(`${admin.url}${path}`, { method, ca: admin.ca, agent: false, headers }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => {
        text += d.toString();
      });
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        if (status >= 300) fail(new Error(`Azurite ${method} ${path}: ${status} ${text.slice(0, 300)}`));
        else ok(text);
      });
      res.on("error", fail);
    });
    req.on("error", (e) => fail(new Error(`Azurite ${method} ${path}: ${e.message}`)));
    req.end(body);
  });
}

function containerNames(xml: string): string[] {
  return [...xml.matchAll(/<Container>\s*<Name>([^<]+)<\/Name>/g)].map((m) => m[1] ?? "");
}

function blobNames(xml: string): string[] {
  return [...xml.matchAll(/<Blob>\s*<Name>([^<]+)<\/Name>/g)].map((m) =>
    (m[1] ?? "").replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">"),
  );
}

/** The account's containers, as Azurite lists them (one page of up to 5000). */
export async function listContainers(admin: AzuriteAdmin, account: string): Promise<string[]> {
  return containerNames(await call(admin, "GET", `/${account}?comp=list&maxresults=5000`));
}

const blobPath = (account: string, key: string) =>
  `/${account}/${key
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/")}`;

/**
 * Brings one account back to the seed: containers the seed does not name are deleted, the seed's are
 * emptied (deleting and re-creating a container would race Azurite's own container GC) and refilled.
 */
export async function seedAccount(admin: AzuriteAdmin, account: WorldStorageAccount): Promise<void> {
  const name = account.name;
  const wanted = new Set(account.containers ?? []);
  const existing = containerNames(await call(admin, "GET", `/${name}?comp=list&maxresults=5000`));
  await Promise.all(
    existing
      .filter((c) => !wanted.has(c))
      .map((c) => call(admin, "DELETE", `/${name}/${c}?restype=container`)),
  );
  await Promise.all(
    [...wanted].map(async (c) => {
      if (!existing.includes(c)) {
        await call(admin, "PUT", `/${name}/${c}?restype=container`);
        return;
      }
      const list = await call(admin, "GET", `/${name}/${c}?restype=container&comp=list&maxresults=5000`);
      await Promise.all(
        blobNames(list).map((b) =>
          call(admin, "DELETE", blobPath(name, `${c}/${b}`), undefined, {
            "x-ms-delete-snapshots": "include",
          }),
        ),
      );
    }),
  );
  await Promise.all(
    Object.entries(account.blobs ?? {}).map(([key, text]) => call(admin, "PUT", blobPath(name, key), text)),
  );
}
