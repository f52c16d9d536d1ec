// The virtual machine operations miauth uses (GET and the PATCH's long-running update), built from the
// SDK's per-operation modules so the bundle keeps those and not ComputeManagementClient's hundreds of
// others (as web-apps.ts does for sites).
import type {
  ComputeManagementClientOptionalParams,
  VirtualMachine,
  VirtualMachineUpdate,
} from "@azure/arm-compute";
import { createComputeManagement } from "@azure/arm-compute/api";
import type { TokenCredential } from "@azure/core-auth";
import {
  get,
  update,
  type VirtualMachinesGetOptionalParams,
  type VirtualMachinesUpdateOptionalParams,
} from "../../node_modules/@azure/arm-compute/dist/esm/api/virtualMachines/index.js";
import { asClientPassesThem, type WithUserAgent } from "./sdk-context.js";

type UpdatePoller = ReturnType<typeof update>;

/** As ComputeManagementClient's `virtualMachines` has them. */
export interface VirtualMachines {
  virtualMachines: {
    get(
      resourceGroupName: string,
      vmName: string,
      options?: VirtualMachinesGetOptionalParams,
    ): Promise<VirtualMachine>;
    update(
      resourceGroupName: string,
      vmName: string,
      parameters: VirtualMachineUpdate,
      options?: VirtualMachinesUpdateOptionalParams,
    ): UpdatePoller;
  };
}

/** The context as ComputeManagementClient builds it (its user agent suffix included), and the operations. */
export function createVirtualMachines(
  credential: TokenCredential,
  subscriptionId: string,
  options: WithUserAgent<ComputeManagementClientOptionalParams>,
): VirtualMachines {
  const context = createComputeManagement(credential, subscriptionId, asClientPassesThem(options));
  return {
    virtualMachines: {
      get: (group, name, opts) => get(context, group, name, opts),
      update: (group, name, parameters, opts) => update(context, group, name, parameters, opts),
    },
  };
}
