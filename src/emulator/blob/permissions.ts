import type { Permission } from "../rbac/evaluate.js";

const SERVICE = "Microsoft.Storage/storageAccounts/blobServices";
const CONTAINERS = `${SERVICE}/containers`;
const BLOBS = `${CONTAINERS}/blobs`;

/** A blob request as path-style URLs spell it: /{account}[/{container}[/{blob}]]. */
export interface BlobTarget {
  account: string;
  container?: string;
  blob?: string;
}

/** Splits a path-style blob URL path; a single segment without restype=container is a blob in $root. */
export function blobTarget(path: string, query: URLSearchParams): BlobTarget | undefined {
  const [account = "", container, ...rest] = path.replace(/^\//, "").split("/");
  if (account === "") return undefined;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  if (container === undefined || container === "") return { account };
  if (rest.length === 0 && query.get("restype") !== "container") {
    return { account, container: "$root", blob: decode(container) };
  }
  const blob = rest.join("/");
  return blob === ""
    ? { account, container: decode(container) }
    : { account, container: decode(container), blob: decode(blob) };
}

const action = (a: string): Permission => ({ action: a });
const data = (a: string): Permission => ({ dataAction: a });

function serviceOperation(method: string, comp: string | null): Permission[] {
  if (comp === "list") return [action(`${CONTAINERS}/read`)];
  if (comp === "userdelegationkey") return [action(`${SERVICE}/generateUserDelegationKey/action`)];
  if (comp === "blobs") return [data(`${BLOBS}/filter/action`)];
  // Service properties, stats, account information.
  return [action(method === "PUT" ? `${SERVICE}/write` : `${SERVICE}/read`)];
}

function containerOperation(method: string, comp: string | null): Permission[] {
  if (comp === "list") return [data(`${BLOBS}/read`)];
  if (comp === "blobs") return [data(`${BLOBS}/filter/action`)];
  if (method === "DELETE") return [action(`${CONTAINERS}/delete`)];
  if (method === "GET" || method === "HEAD") return [action(`${CONTAINERS}/read`)];
  return [action(`${CONTAINERS}/write`)];
}

function blobOperation(method: string, comp: string | null, ifNoneMatch: string | undefined): Permission[] {
  if (comp === "tags") return [data(method === "GET" ? `${BLOBS}/tags/read` : `${BLOBS}/tags/write`)];
  if (method === "GET" || method === "HEAD") return [data(`${BLOBS}/read`)];
  if (method === "POST" && comp === "query") return [data(`${BLOBS}/read`)];
  if (method === "DELETE") return [data(`${BLOBS}/delete`)];
  const write = data(`${BLOBS}/write`);
  // add/action creates blobs but never overwrites: only a create-only request (If-None-Match: *) may use it.
  const creates = (comp === null || comp === "blocklist") && ifNoneMatch?.trim() === "*";
  return creates ? [write, data(`${BLOBS}/add/action`)] : [write];
}

/**
 * The RBAC permissions of which any one grants a blob request (AZURE-WIRE.md "Blob data plane"; the
 * README lists the guesses for the other operations).
 */
export function requiredPermissions(
  method: string,
  target: BlobTarget,
  query: URLSearchParams,
  ifNoneMatch: string | undefined,
): Permission[] {
  const comp = query.get("comp");
  // A batch carries its sub-requests in the body, unseen here; batches are mostly deletes.
  if (comp === "batch") return [data(`${BLOBS}/delete`)];
  if (target.container === undefined) return serviceOperation(method, comp);
  if (target.blob === undefined) return containerOperation(method, comp);
  return blobOperation(method, comp, ifNoneMatch);
}
