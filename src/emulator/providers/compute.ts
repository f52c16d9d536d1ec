import { randomUUID } from "node:crypto";
import { computeEtags, etagOf, preconditionFailed } from "../arm/etag.js";
import {
  armError,
  groupMissing,
  isReply,
  ok,
  patchNotFound,
  readJson,
  resourceNotFound,
} from "../arm/replies.js";
import { applyIdentity, cloneIdentity, renderIdentity } from "../arm/resource-identity.js";
import type { Route } from "../arm/router.js";
import type { Ctx, Reply } from "../http.js";
import type { Operation, Settings, State, Vm } from "../state.js";
import { COMPUTE_VM_API_VERSIONS } from "./api-versions.js";

const VM =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines/{name}";
const OPERATION =
  "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/locations/{location}/operations/{operationId}";
const VM_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;

/** Ends operations whose time has come; a failed one puts the identity back as it was. */
export function settleOperations(state: State, now = Date.now()): void {
  for (const op of Object.values(state.operations)) {
    if (op.status !== "InProgress" || op.settleAt > now) continue;
    op.status = op.fail ? "Failed" : "Succeeded";
    op.endTime = new Date(op.settleAt).toISOString();
    const vm = state.vms[op.vmKey];
    if (!vm || vm.currentOperation !== op.id) continue;
    vm.currentOperation = undefined;
    if (op.fail) {
      vm.identity = cloneIdentity(op.previousIdentity);
      vm.version += 1;
      vm.provisioningState = "Failed";
    } else {
      vm.provisioningState = "Succeeded";
    }
  }
}

/** Ends every running operation now, as if its time had come; returns them as they ended. */
export function settleAllNow(state: State): Operation[] {
  const now = Date.now();
  const running = Object.values(state.operations).filter((op) => op.status === "InProgress");
  for (const op of running) op.settleAt = Math.min(op.settleAt, now);
  settleOperations(state, now);
  return running;
}

/** The VM as Compute renders it; `etag` from api-version 2023-09-01 on. */
export function renderVm(state: State, vm: Vm, apiVersion?: string): Record<string, unknown> {
  const linux = vm.osType === "Linux";
  const rgPrefix = `/subscriptions/${vm.subscriptionId}/resourceGroups/${vm.resourceGroup.toUpperCase()}/providers`;
  const diskName = `${vm.name}_OsDisk_1_${vm.vmId.replaceAll("-", "")}`;
  const body: Record<string, unknown> = {
    name: vm.name,
    id: vm.id,
    type: "Microsoft.Compute/virtualMachines",
    location: vm.location,
    tags: {},
    ...(computeEtags(apiVersion) ? { etag: etagOf(vm.version) } : {}),
    properties: {
      vmId: vm.vmId,
      hardwareProfile: { vmSize: vm.vmSize },
      storageProfile: {
        imageReference: linux
          ? {
              publisher: "Canonical",
              offer: "0001-com-ubuntu-server-jammy",
              sku: "22_04-lts-gen2",
              version: "latest",
              exactVersion: "22.04.202409030",
            }
          : {
              publisher: "MicrosoftWindowsServer",
              offer: "WindowsServer",
              sku: "2022-datacenter-azure-edition",
              version: "latest",
              exactVersion: "20348.2655.240905",
            },
        osDisk: {
          osType: vm.osType,
          name: diskName,
          createOption: "FromImage",
          caching: "ReadWrite",
          managedDisk: {
            storageAccountType: "Premium_LRS",
            id: `${rgPrefix}/Microsoft.Compute/disks/${diskName}`,
          },
          deleteOption: "Delete",
          diskSizeGB: linux ? 30 : 127,
        },
        dataDisks: [],
        diskControllerType: "SCSI",
      },
      osProfile: {
        computerName: vm.name,
        adminUsername: "azureuser",
        ...(linux
          ? {
              linuxConfiguration: {
                disablePasswordAuthentication: true,
                provisionVMAgent: true,
                patchSettings: { patchMode: "ImageDefault", assessmentMode: "ImageDefault" },
              },
            }
          : {
              windowsConfiguration: {
                provisionVMAgent: true,
                enableAutomaticUpdates: true,
                patchSettings: { patchMode: "AutomaticByOS", assessmentMode: "ImageDefault" },
              },
            }),
        secrets: [],
        allowExtensionOperations: true,
        requireGuestProvisionSignal: true,
      },
      networkProfile: {
        networkInterfaces: [{ id: `${rgPrefix}/Microsoft.Network/networkInterfaces/${vm.name}VMNic` }],
      },
      provisioningState: vm.provisioningState,
      timeCreated: vm.timeCreated,
    },
  };
  const identity = renderIdentity(state, vm.identity, "compute");
  if (identity) body.identity = identity;
  return body;
}

function lookup(state: State, ctx: Ctx): { vm?: Vm; error?: Reply } {
  const { subscriptionId = "", resourceGroupName = "", name = "" } = ctx.params;
  if (!VM_NAME.test(name)) {
    return {
      error: armError(
        400,
        "InvalidParameter",
        `The resource name '${name}' is invalid. Virtual machine names can contain only letters, numbers, periods, underscores and hyphens, and must be 1 to 64 characters long.`,
        { target: "vmName" },
      ),
    };
  }
  const error = groupMissing(state, subscriptionId, resourceGroupName);
  if (error) return { error };
  settleOperations(state);
  const key = `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroupName}/providers/microsoft.compute/virtualmachines/${name}`;
  return { vm: state.vms[key.toLowerCase()] };
}

function startUpdate(state: State, settings: Settings, ctx: Ctx, vm: Vm): Reply {
  if (computeEtags(ctx.apiVersion)) {
    const stale = preconditionFailed(ctx, etagOf(vm.version));
    if (stale) return stale;
  }
  const parsed = readJson(ctx);
  if (isReply(parsed)) return parsed;
  const previousIdentity = cloneIdentity(vm.identity);
  if (parsed.body.identity !== undefined && parsed.body.identity !== null) {
    const next = applyIdentity(state, vm.identity, parsed.body.identity, vm.id);
    if (isReply(next)) return next;
    vm.identity = next;
  }
  const now = Date.now();
  const op: Operation = {
    id: randomUUID(),
    vmKey: vm.id.toLowerCase(),
    startTime: new Date(now).toISOString(),
    settleAt: now + settings.lroDelayMs,
    fail: ctx.takeLroFailure(),
    previousIdentity,
    status: "InProgress",
  };
  state.operations[op.id] = op;
  vm.version += 1;
  vm.currentOperation = op.id;
  vm.provisioningState = "Updating";
  const p = randomUUID();
  const base = `${settings.baseUrl}/subscriptions/${vm.subscriptionId}/providers/Microsoft.Compute/locations/${vm.location}/operations/${op.id}`;
  return ok(renderVm(state, vm, ctx.apiVersion), {
    "Azure-AsyncNotification": "Enabled",
    // Like the recorded Compute LRO: no Location header, so the SDK's final GET is the VM itself.
    "Azure-AsyncOperation": `${base}?p=${p}&api-version=${ctx.apiVersion}`,
    "Retry-After": String(settings.retryAfterSeconds),
  });
}

function operationStatus(state: State, settings: Settings, ctx: Ctx): Reply {
  settleOperations(state);
  const op = state.operations[(ctx.params.operationId ?? "").toLowerCase()];
  if (!op) return armError(404, "NotFound", "The entity was not found in this Azure location.");
  const retry = { "Retry-After": String(settings.retryAfterSeconds) };
  const body: Record<string, unknown> = { startTime: op.startTime };
  if (op.endTime) body.endTime = op.endTime;
  body.status = op.status;
  if (op.status === "Failed") {
    body.error = {
      code: "InternalExecutionError",
      message: "An internal execution error occurred. Please retry later.",
    };
  }
  body.name = op.id;
  return ok(body, op.status === "InProgress" ? retry : undefined);
}

export function computeRoutes(state: State, settings: Settings): Route[] {
  const common = {
    pattern: VM,
    kind: "arm" as const,
    apiVersions: COMPUTE_VM_API_VERSIONS,
    provider: { namespace: "Microsoft.Compute", type: "virtualMachines" },
  };
  return [
    {
      ...common,
      method: "GET",
      action: "Microsoft.Compute/virtualMachines/read",
      handler: (ctx) => {
        const { vm, error } = lookup(state, ctx);
        if (error) return error;
        if (!vm) {
          return resourceNotFound(
            "Microsoft.Compute/virtualMachines",
            ctx.params.name ?? "",
            ctx.params.resourceGroupName ?? "",
          );
        }
        return ok(renderVm(state, vm, ctx.apiVersion));
      },
    },
    {
      ...common,
      method: "PATCH",
      action: "Microsoft.Compute/virtualMachines/write",
      handler: (ctx) => {
        const { vm, error } = lookup(state, ctx);
        if (error) return error;
        if (!vm) return patchNotFound(ctx, ctx.params.name ?? "");
        return startUpdate(state, settings, ctx, vm);
      },
    },
    {
      ...common,
      method: "GET",
      pattern: OPERATION,
      provider: { namespace: "Microsoft.Compute", type: "locations/operations" },
      action: "Microsoft.Compute/locations/operations/read",
      handler: (ctx) => operationStatus(state, settings, ctx),
    },
  ];
}
