import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type * as compute from "@pulumi/azure-native/compute";
import type * as network from "@pulumi/azure-native/network";
import type * as pulumi from "@pulumi/pulumi";
import { LinuxVm, type LinuxVmArgs, UBUNTU_2404_IMAGE } from "../../components/linux-vm";
import {
  fakePrincipalId,
  type ProgramRun,
  programError,
  type RecordedResource,
  runComponent,
  single,
} from "../../scripts/core/offline-engine";

const COMPONENT_TYPE = "keyless-openai:compute:LinuxVm";
const FAKE_PUBLIC_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQgenerated test@standin";
const FAKE_PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEstandin\n-----END RSA PRIVATE KEY-----\n";

/** What the mock returns for resources the default engine does not compute. */
const computed = {
  "tls:index/privateKey:PrivateKey": () => ({ privateKeyPem: FAKE_PRIVATE_KEY, publicKeyOpenssh: FAKE_PUBLIC_KEY }),
  "azure-native:network:NetworkInterface": (inputs: Record<string, unknown>) => ({
    ipConfigurations: (inputs.ipConfigurations as Record<string, unknown>[]).map((configuration) => ({
      ...configuration,
      privateIPAddress: "10.42.0.4",
    })),
  }),
  "azure-native:network:PublicIPAddress": () => ({ ipAddress: "198.51.100.20" }),
};

/** Runs a program that declares only the VM component, and returns the run plus the component's outputs. */
async function runVm(
  overrides: Partial<LinuxVmArgs> = {},
): Promise<{ run: ProgramRun; outputs: Record<string, unknown> }> {
  const run = await runComponent(
    () => new LinuxVm("smoke", { resourceGroupName: "rg-test", vmName: "vm-keyless", ...overrides }),
    { computed },
  );
  return { run, outputs: run.outputs };
}

type VmInputs = pulumi.Unwrap<compute.VirtualMachineArgs>;
type NicInputs = pulumi.Unwrap<network.NetworkInterfaceArgs>;
type SecurityRule = NonNullable<pulumi.Unwrap<network.NetworkSecurityGroupArgs>["securityRules"]>[number];

function vmInputs(run: ProgramRun): VmInputs {
  return single(run, "azure-native:compute:VirtualMachine").inputs as unknown as VmInputs;
}

function nicIpConfiguration(run: ProgramRun) {
  const nic = single(run, "azure-native:network:NetworkInterface").inputs as unknown as NicInputs;
  assert.equal(nic.ipConfigurations?.length, 1);
  return nic.ipConfigurations?.[0];
}

function securityRules(run: ProgramRun): SecurityRule[] {
  const nsg = single(run, "azure-native:network:NetworkSecurityGroup")
    .inputs as pulumi.Unwrap<network.NetworkSecurityGroupArgs>;
  return nsg.securityRules ?? [];
}

// Pulumi's mock engine is process-global: each suite runs its program in `before`, one at a time.
describe("LinuxVm defaults", () => {
  let run: ProgramRun;
  let outputs: Record<string, unknown>;
  let vm: VmInputs;
  before(async () => {
    ({ run, outputs } = await runVm());
    vm = vmInputs(run);
  });

  test("has a system-assigned identity, and principalId is that identity's object ID", () => {
    assert.deepEqual(vm.identity, { type: "SystemAssigned" });
    assert.equal(outputs.principalId, fakePrincipalId("smoke-vm"));
  });

  test("runs current Ubuntu LTS (24.04, Gen2) on the default size", () => {
    assert.deepEqual(vm.storageProfile?.imageReference, UBUNTU_2404_IMAGE);
    assert.equal(vm.storageProfile?.imageReference?.offer, "ubuntu-24_04-lts");
    // The vmSize default Pulumi.yaml declares: a component on its own gets what a stack gets.
    assert.equal(vm.hardwareProfile?.vmSize, "Standard_B2ats_v2");
  });

  test("allows key login only, with a generated key in the admin's authorized_keys", () => {
    const linux = vm.osProfile?.linuxConfiguration;
    assert.equal(linux?.disablePasswordAuthentication, true);
    assert.equal(vm.osProfile?.adminPassword, undefined);
    assert.deepEqual(linux?.ssh?.publicKeys, [
      { path: "/home/azureuser/.ssh/authorized_keys", keyData: FAKE_PUBLIC_KEY },
    ]);
  });

  test("turns on Trusted Launch with secure boot and vTPM", () => {
    assert.deepEqual(vm.securityProfile, {
      securityType: "TrustedLaunch",
      uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
    });
  });

  test("has no public IP: no PublicIPAddress resource and a NIC without one", () => {
    assert.equal(run.resources.filter((r) => r.type === "azure-native:network:PublicIPAddress").length, 0);
    assert.equal(nicIpConfiguration(run)?.publicIPAddress, undefined);
    assert.equal(outputs.publicIpAddress, undefined);
    assert.equal(outputs.privateIpAddress, "10.42.0.4");
  });

  test("denies all inbound traffic from the Internet and opens no SSH", () => {
    const rules = securityRules(run);
    assert.equal(rules.length, 1);
    assert.deepEqual(
      {
        access: rules[0]?.access,
        direction: rules[0]?.direction,
        source: rules[0]?.sourceAddressPrefix,
        port: rules[0]?.destinationPortRange,
      },
      { access: "Deny", direction: "Inbound", source: "Internet", port: "*" },
    );
    assert.ok(!rules.some((rule) => rule.access === "Allow"));
  });

  test("the NSG guards the VM's subnet, and the NIC sits in that subnet", () => {
    const subnet = single(run, "azure-native:network:Subnet");
    const nsg = single(run, "azure-native:network:NetworkSecurityGroup");
    assert.equal((subnet.inputs.networkSecurityGroup as { id?: string }).id, nsg.id);
    assert.equal(nicIpConfiguration(run)?.subnet?.id, subnet.id);
    assert.deepEqual(vm.networkProfile?.networkInterfaces, [
      { id: single(run, "azure-native:network:NetworkInterface").id, primary: true, deleteOption: "Detach" },
    ]);
  });

  test("teardown leaves nothing: the OS disk goes with the VM, every other piece is a resource of the component", () => {
    assert.equal(vm.storageProfile?.osDisk?.deleteOption, "Delete");
    assert.equal(vm.storageProfile?.osDisk?.createOption, "FromImage");
    assert.equal(vm.storageProfile?.dataDisks, undefined);
    const vmResource = single(run, "azure-native:compute:VirtualMachine");
    assert.equal(vmResource.state.vmName, "vm-keyless");
  });

  test("keeps the private key out of every output", () => {
    assert.equal(outputs.sshPublicKey, FAKE_PUBLIC_KEY);
    const serialized = JSON.stringify(outputs);
    assert.ok(!serialized.includes("PRIVATE KEY"), serialized);
    assert.ok(!Object.keys(outputs).some((key) => /private.?key/i.test(key)));
    assert.deepEqual(Object.keys(outputs).sort(), [
      "adminUsername",
      "principalId",
      "privateIpAddress",
      "sshPublicKey",
      "vmId",
      "vmName",
    ]);
  });

  test("parents every child to the component", () => {
    const component = single(run, COMPONENT_TYPE);
    const children = run.resources.filter((r: RecordedResource) => r.type !== COMPONENT_TYPE && r.custom);
    assert.ok(children.length >= 6, `expected the VM's children, found ${children.map((c) => c.type)}`);
    for (const child of children) assert.equal(child.parentUrn, component.urn, `${child.type} ${child.name}`);
  });
});

describe("LinuxVm with SSH allowed", () => {
  const cidrs = ["203.0.113.7/32", "198.51.100.0/24"];
  let run: ProgramRun;
  let outputs: Record<string, unknown>;
  before(async () => {
    ({ run, outputs } = await runVm({
      sshAllowedCidrs: cidrs,
      adminUsername: "ops",
      sshPublicKey: "ssh-ed25519 AAAAgiven",
    }));
  });

  test("adds a static Standard public IP on the NIC", () => {
    const pip = single(run, "azure-native:network:PublicIPAddress");
    assert.equal((pip.inputs.sku as { name: string }).name, "Standard");
    assert.equal(pip.inputs.publicIPAllocationMethod, "Static");
    assert.equal(nicIpConfiguration(run)?.publicIPAddress?.id, pip.id);
    assert.equal(outputs.publicIpAddress, "198.51.100.20");
  });

  test("allows TCP 22 from exactly the given ranges, ahead of the Internet deny", () => {
    const rules = securityRules(run);
    const allow = rules.filter((rule) => rule.access === "Allow");
    assert.equal(allow.length, 1);
    assert.equal(allow[0]?.protocol, "Tcp");
    assert.equal(allow[0]?.destinationPortRange, "22");
    assert.deepEqual(allow[0]?.sourceAddressPrefixes, cidrs);
    assert.equal(allow[0]?.sourceAddressPrefix, undefined);
    const deny = rules.find((rule) => rule.access === "Deny");
    assert.ok((allow[0]?.priority ?? Number.POSITIVE_INFINITY) < (deny?.priority ?? 0), "SSH allow must come first");
  });

  test("uses the given key and user, and generates no key pair", () => {
    const vm = vmInputs(run);
    assert.deepEqual(vm.osProfile?.linuxConfiguration?.ssh?.publicKeys, [
      { path: "/home/ops/.ssh/authorized_keys", keyData: "ssh-ed25519 AAAAgiven" },
    ]);
    assert.equal(run.resources.filter((r) => r.type === "tls:index/privateKey:PrivateKey").length, 0);
    assert.equal(outputs.adminUsername, "ops");
  });
});

describe("LinuxVm options and validation", () => {
  test("trustedLaunch false leaves the security profile out (for sizes without Trusted Launch)", async () => {
    const { run } = await runVm({ trustedLaunch: false, size: "Standard_B1s" });
    assert.equal(vmInputs(run).securityProfile, undefined);
    assert.equal(vmInputs(run).hardwareProfile?.vmSize, "Standard_B1s");
  });

  test("refuses SSH from the whole Internet, in one range or in pieces, and malformed ranges", async () => {
    const program = (cidrs: string[]) => () =>
      new LinuxVm("bad", { resourceGroupName: "rg", vmName: "vm-x", sshAllowedCidrs: cidrs });
    assert.match(await programError(program(["0.0.0.0/0"])), /opens SSH to 3,702,390,784 public IPv4 addresses/);
    assert.match(
      await programError(program(["0.0.0.0/1", "128.0.0.0/1"])),
      /opens SSH to 3,702,390,784 public IPv4 addresses/,
    );
    assert.match(await programError(program(["10.0.0.300/32"])), /"10\.0\.0\.300\/32" is not an IPv4 address or CIDR/);
    assert.match(await programError(program(["Internet"])), /"Internet" is not an IPv4 address or CIDR/);
  });

  test("refuses reserved admin names and invalid VM names", async () => {
    assert.match(
      await programError(() => new LinuxVm("bad", { resourceGroupName: "rg", vmName: "vm-x", adminUsername: "root" })),
      /adminUsername/,
    );
    assert.match(await programError(() => new LinuxVm("bad", { resourceGroupName: "rg", vmName: "-vm" })), /vmName/);
    assert.match(
      await programError(() => new LinuxVm("bad", { resourceGroupName: "rg", vmName: "v".repeat(65) })),
      /vmName/,
    );
  });

  test("autoShutdownTime adds the portal's auto-shutdown schedule for this VM, in UTC", async () => {
    const { run } = await runVm({ autoShutdownTime: "19:30" });
    const schedule = single(run, "azure-native:devtestlab:GlobalSchedule").inputs;
    // Microsoft.DevTestLab/schedules for a VM: named shutdown-computevm-<vm>, task ComputeVmShutdownTask, time HHmm.
    assert.equal(schedule.name, "shutdown-computevm-vm-keyless");
    assert.equal(schedule.taskType, "ComputeVmShutdownTask");
    assert.equal(schedule.status, "Enabled");
    assert.deepEqual(schedule.dailyRecurrence, { time: "1930" });
    assert.equal(schedule.timeZoneId, "UTC");
    assert.equal(schedule.targetResourceId, single(run, "azure-native:compute:VirtualMachine").id);
  });

  test("no autoShutdownTime, no schedule; a malformed time is refused", async () => {
    const { run } = await runVm();
    assert.equal(run.resources.filter((r) => r.type === "azure-native:devtestlab:GlobalSchedule").length, 0);
    assert.match(
      await programError(() => new LinuxVm("x", { resourceGroupName: "rg", vmName: "vm-x", autoShutdownTime: "7pm" })),
      /autoShutdownTime/,
    );
  });
});
