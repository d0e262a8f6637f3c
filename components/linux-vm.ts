import { VirtualMachine } from "@pulumi/azure-native/compute/virtualMachine";
import { GlobalSchedule } from "@pulumi/azure-native/devtestlab/globalSchedule";
import { NetworkInterface } from "@pulumi/azure-native/network/networkInterface";
import { NetworkSecurityGroup } from "@pulumi/azure-native/network/networkSecurityGroup";
import { PublicIPAddress } from "@pulumi/azure-native/network/publicIPAddress";
import { Subnet } from "@pulumi/azure-native/network/subnet";
import { VirtualNetwork } from "@pulumi/azure-native/network/virtualNetwork";
import type * as azureInputs from "@pulumi/azure-native/types/input";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import {
  configDeclarations,
  declaredStringDefault,
  LINUX_USERNAME,
  RESERVED_USERNAMES,
  SHUTDOWN_TIME,
  sshAllowedCidrsProblem,
} from "../lib/config";

/**
 * Ubuntu 24.04 LTS, Gen2, x64: the `Ubuntu2404` alias of Azure's own image alias list
 * (github.com/Azure/azure-rest-api-specs, arm-compute/quickstart-templates/aliases.json).
 */
export const UBUNTU_2404_IMAGE = {
  publisher: "Canonical",
  offer: "ubuntu-24_04-lts",
  sku: "server",
  version: "latest",
} as const;

/**
 * Default size: Pulumi.yaml's `vmSize` default (Basv2, listed among the sizes that support Trusted Launch:
 * learn.microsoft.com/azure/virtual-machines/trusted-launch, "Virtual machines sizes"), so a component used on its own
 * gets what a stack gets. Pick another size with `size`, and set `trustedLaunch: false` for a size without it.
 */
export const DEFAULT_VM_SIZE = declaredStringDefault("vmSize");

/** Trusted Launch unless turned off: Pulumi.yaml's `vmTrustedLaunch` default. */
export const DEFAULT_TRUSTED_LAUNCH = configDeclarations().vmTrustedLaunch.default === true;

/** Default admin user: Pulumi.yaml's `vmAdminUsername` default. */
export const DEFAULT_ADMIN_USERNAME = declaredStringDefault("vmAdminUsername");

/** Address space of the VM's own network. One /24 is far more than one NIC needs. */
export const DEFAULT_ADDRESS_PREFIX = "10.42.0.0/24";

/** NSG rule priorities: SSH allow first, the explicit Internet deny last (100-4096 is the custom range). */
const SSH_RULE_PRIORITY = 100;
const DENY_INTERNET_PRIORITY = 4096;

/** Arguments of {@link LinuxVm}. */
export interface LinuxVmArgs {
  resourceGroupName: pulumi.Input<string>;
  location?: pulumi.Input<string>;
  /** VM and host name: 1-64 letters, digits and hyphens, not starting or ending with a hyphen. */
  vmName: string;
  /** Linux admin user (lower case, starts with a letter or `_`, at most 32 characters). Default {@link DEFAULT_ADMIN_USERNAME}. */
  adminUsername?: string;
  /**
   * OpenSSH public key for the admin user. When left out, a key pair is generated: its private half stays in the
   * stack state as a secret and is never an output (the smoke test needs no SSH: it uses Run Command).
   */
  sshPublicKey?: pulumi.Input<string>;
  /**
   * IPv4 ranges (CIDR) allowed to reach TCP 22. Empty or left out (the default): no public IP, and nothing from the
   * Internet gets in. Set: a static Standard public IP and one NSG rule for TCP 22 from exactly these ranges.
   */
  sshAllowedCidrs?: string[];
  /** VM size. Default {@link DEFAULT_VM_SIZE}. */
  size?: string;
  /** Trusted Launch (secure boot + vTPM). Default {@link DEFAULT_TRUSTED_LAUNCH}; turn off only for a size without it. */
  trustedLaunch?: boolean;
  /** Address space of the VM's virtual network (the subnet takes all of it). Default {@link DEFAULT_ADDRESS_PREFIX}. */
  addressPrefix?: string;
  /**
   * An existing subnet for the NIC (the stack's network in allowList and private mode). Given: the component creates
   * no VNet of its own and puts its NSG on the NIC. Left out: its own VNet and subnet, with the NSG on the subnet.
   */
  subnetId?: pulumi.Input<string>;
  /** OS disk type. Default `StandardSSD_LRS`. */
  osDiskType?: string;
  /** Shut the VM down every day at this time, `HH:MM` UTC (cost). Left out: no schedule. */
  autoShutdownTime?: string;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

const VM_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/;

function validateArgs(args: LinuxVmArgs, adminUsername: string): void {
  if (!VM_NAME_PATTERN.test(args.vmName)) {
    throw new Error(`vmName "${args.vmName}": use 1-64 letters, digits and hyphens, not starting or ending with one`);
  }
  if (!LINUX_USERNAME.test(adminUsername) || RESERVED_USERNAMES.has(adminUsername)) {
    throw new Error(`adminUsername "${adminUsername}" is not a valid, non-reserved Linux user name`);
  }
  const sshProblem = sshAllowedCidrsProblem(args.sshAllowedCidrs ?? []);
  if (sshProblem !== undefined) throw new Error(sshProblem);
  if (args.autoShutdownTime !== undefined && !SHUTDOWN_TIME.test(args.autoShutdownTime)) {
    throw new Error(`autoShutdownTime "${args.autoShutdownTime}": use HH:MM (24-hour clock, UTC)`);
  }
}

/**
 * An Ubuntu LTS VM with a system-assigned managed identity and no way in from the Internet by default: its own VNet,
 * subnet and NSG, no public IP, password login off, Trusted Launch on. Give it `sshAllowedCidrs` to add a public IP
 * and an SSH rule for those ranges only. Role assignments for the identity are the caller's (see `principalId`).
 */
export class LinuxVm extends pulumi.ComponentResource {
  public readonly vmName: pulumi.Output<string>;
  public readonly vmId: pulumi.Output<string>;
  /** Object ID of the VM's system-assigned identity: grant roles to this. */
  public readonly principalId: pulumi.Output<string>;
  public readonly privateIpAddress: pulumi.Output<string>;
  /** Only when `sshAllowedCidrs` is set. */
  public readonly publicIpAddress: pulumi.Output<string> | undefined;
  public readonly adminUsername: pulumi.Output<string>;
  /** The admin's OpenSSH public key (given or generated). The private key is never an output. */
  public readonly sshPublicKey: pulumi.Output<string>;

  constructor(name: string, args: LinuxVmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("keyless-openai:compute:LinuxVm", name, {}, opts);

    const adminUsername = args.adminUsername ?? DEFAULT_ADMIN_USERNAME;
    validateArgs(args, adminUsername);
    const sshAllowedCidrs = args.sshAllowedCidrs ?? [];
    const sshAllowed = sshAllowedCidrs.length > 0;
    const addressPrefix = args.addressPrefix ?? DEFAULT_ADDRESS_PREFIX;
    const trustedLaunch = args.trustedLaunch ?? DEFAULT_TRUSTED_LAUNCH;
    const common = { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags };
    const childOpts: pulumi.CustomResourceOptions = { parent: this };

    const publicKey =
      args.sshPublicKey !== undefined
        ? pulumi.output(args.sshPublicKey)
        : new tls.PrivateKey(`${name}-ssh`, { algorithm: "RSA", rsaBits: 4096 }, childOpts).publicKeyOpenssh;

    const securityRules: azureInputs.network.SecurityRuleArgs[] = [
      {
        name: "DenyInternetInbound",
        description: "Nothing from the Internet reaches this VM unless a rule above allows it.",
        priority: DENY_INTERNET_PRIORITY,
        direction: "Inbound",
        access: "Deny",
        protocol: "*",
        sourceAddressPrefix: "Internet",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "*",
      },
    ];
    if (sshAllowed) {
      securityRules.unshift({
        name: "AllowSshFromAllowedRanges",
        description: "SSH from the ranges given in sshAllowedCidrs only.",
        priority: SSH_RULE_PRIORITY,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourceAddressPrefixes: sshAllowedCidrs,
        sourcePortRange: "*",
        destinationAddressPrefix: "VirtualNetwork",
        destinationPortRange: "22",
      });
    }
    const nsg = new NetworkSecurityGroup(`${name}-nsg`, { ...common, securityRules }, childOpts);

    const subnetId = args.subnetId ?? this.ownSubnet(name, args, addressPrefix, nsg.id, common);
    const publicIp = sshAllowed
      ? new PublicIPAddress(
          `${name}-pip`,
          {
            ...common,
            sku: { name: "Standard", tier: "Regional" },
            publicIPAllocationMethod: "Static",
            publicIPAddressVersion: "IPv4",
          },
          childOpts,
        )
      : undefined;

    const nic = new NetworkInterface(
      `${name}-nic`,
      {
        ...common,
        // On a shared subnet the NSG guards the NIC; on the VM's own subnet it guards the subnet.
        networkSecurityGroup: args.subnetId !== undefined ? { id: nsg.id } : undefined,
        ipConfigurations: [
          {
            name: "primary",
            primary: true,
            privateIPAllocationMethod: "Dynamic",
            subnet: { id: subnetId },
            publicIPAddress: publicIp ? { id: publicIp.id } : undefined,
          },
        ],
      },
      childOpts,
    );

    const vm = new VirtualMachine(
      `${name}-vm`,
      {
        ...common,
        vmName: args.vmName,
        identity: { type: "SystemAssigned" },
        hardwareProfile: { vmSize: args.size ?? DEFAULT_VM_SIZE },
        storageProfile: {
          imageReference: { ...UBUNTU_2404_IMAGE },
          osDisk: {
            createOption: "FromImage",
            caching: "ReadWrite",
            managedDisk: { storageAccountType: args.osDiskType ?? "StandardSSD_LRS" },
            // The OS disk exists only through the VM: delete it with the VM so teardown leaves nothing behind.
            deleteOption: "Delete",
          },
        },
        osProfile: {
          computerName: args.vmName,
          adminUsername,
          linuxConfiguration: {
            disablePasswordAuthentication: true,
            provisionVMAgent: true,
            ssh: { publicKeys: [{ path: `/home/${adminUsername}/.ssh/authorized_keys`, keyData: publicKey }] },
          },
        },
        networkProfile: {
          // The NIC (and public IP) are Pulumi resources of this component, deleted by Pulumi after the VM. "Detach"
          // (not "Delete") keeps Azure from deleting them behind Pulumi's back when the VM alone is replaced.
          networkInterfaces: [{ id: nic.id, primary: true, deleteOption: "Detach" }],
        },
        securityProfile: trustedLaunch
          ? { securityType: "TrustedLaunch", uefiSettings: { secureBootEnabled: true, vTpmEnabled: true } }
          : undefined,
        // Boot diagnostics in a platform-managed account: serial console and screenshots without a storage key.
        diagnosticsProfile: { bootDiagnostics: { enabled: true } },
      },
      // The name is fixed, so a replacement must delete the old VM first (a create would find the name taken).
      { ...childOpts, deleteBeforeReplace: true },
    );

    if (args.autoShutdownTime !== undefined) {
      // The portal's "Auto-shutdown": a DevTest Labs global schedule that must be named shutdown-computevm-<VM name>
      // (Microsoft.DevTestLab/schedules, learn.microsoft.com/azure/virtual-machines/auto-shutdown-vm).
      new GlobalSchedule(
        `${name}-auto-shutdown`,
        {
          ...common,
          name: `shutdown-computevm-${args.vmName}`,
          taskType: "ComputeVmShutdownTask",
          status: "Enabled",
          dailyRecurrence: { time: args.autoShutdownTime.replace(":", "") },
          timeZoneId: "UTC",
          targetResourceId: vm.id,
          notificationSettings: { status: "Disabled" },
        },
        childOpts,
      );
    }

    this.vmName = vm.name;
    this.vmId = vm.id;
    this.principalId = vm.identity.apply((identity) => {
      if (!identity?.principalId) throw new Error(`VM ${args.vmName} came back without a system-assigned identity`);
      return identity.principalId;
    });
    this.privateIpAddress = nic.ipConfigurations.apply((configurations) => configurations?.[0]?.privateIPAddress ?? "");
    this.publicIpAddress = publicIp?.ipAddress.apply((address) => address ?? "");
    this.adminUsername = pulumi.output(adminUsername);
    this.sshPublicKey = publicKey;

    this.registerOutputs({
      vmName: this.vmName,
      vmId: this.vmId,
      principalId: this.principalId,
      privateIpAddress: this.privateIpAddress,
      publicIpAddress: this.publicIpAddress,
      adminUsername: this.adminUsername,
      sshPublicKey: this.sshPublicKey,
    });
  }

  /** The VM's own VNet and subnet, for a stack without a shared network. */
  private ownSubnet(
    name: string,
    args: LinuxVmArgs,
    addressPrefix: string,
    nsgId: pulumi.Output<string>,
    common: { resourceGroupName: pulumi.Input<string>; location?: pulumi.Input<string>; tags?: LinuxVmArgs["tags"] },
  ): pulumi.Output<string> {
    const childOpts: pulumi.CustomResourceOptions = { parent: this };
    // Subnet as its own resource (not inline in the VNet) so its ID is a plain output.
    const vnet = new VirtualNetwork(
      `${name}-vnet`,
      { ...common, addressSpace: { addressPrefixes: [addressPrefix] } },
      childOpts,
    );
    const subnet = new Subnet(
      `${name}-subnet`,
      {
        resourceGroupName: args.resourceGroupName,
        virtualNetworkName: vnet.name,
        addressPrefix,
        networkSecurityGroup: { id: nsgId },
        // The VM must reach the model's public endpoint. Azure retires implicit outbound for new subnets ("default
        // outbound access", learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access), so ask for
        // it explicitly (settable only at creation); a NAT gateway or a private endpoint are the paid alternatives.
        defaultOutboundAccess: true,
      },
      childOpts,
    );
    return subnet.id;
  }
}
