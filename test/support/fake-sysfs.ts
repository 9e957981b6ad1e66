/**
 * A sysfs tree laid out as the kernel lays out a USB-serial adapter, so discovery's walk from
 * /sys/class/tty/<name>/device up to the USB device's idVendor/idProduct/serial runs unchanged.
 * The device node itself is a real pty from socat; only the sysfs side is written by the test.
 */
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";

export interface UsbIds {
  vendorId: string;
  productId: string;
  serial?: string;
  manufacturer?: string;
  product?: string;
}

/** Returns a function that removes what it created (the adapter being unplugged). */
export async function addUsbSerialAdapter(sysRoot: string, name: string, port: number, ids: UsbIds) {
  const usbDev = join(sysRoot, "devices/pci0000:00/0000:00:14.0/usb1", `1-${port}`);
  const iface = join(usbDev, `1-${port}:1.0`);
  const portDir = join(iface, name);
  const ttyDir = join(portDir, "tty", name);
  await mkdir(ttyDir, { recursive: true });
  await writeFile(join(usbDev, "idVendor"), `${ids.vendorId}\n`);
  await writeFile(join(usbDev, "idProduct"), `${ids.productId}\n`);
  if (ids.serial) await writeFile(join(usbDev, "serial"), `${ids.serial}\n`);
  if (ids.manufacturer) await writeFile(join(usbDev, "manufacturer"), `${ids.manufacturer}\n`);
  if (ids.product) await writeFile(join(usbDev, "product"), `${ids.product}\n`);
  await symlink(relative(ttyDir, portDir), join(ttyDir, "device"));
  const classDir = join(sysRoot, "class/tty");
  await mkdir(classDir, { recursive: true });
  await symlink(relative(classDir, ttyDir), join(classDir, name));
  return async () => {
    await rm(join(classDir, name), { force: true });
    await rm(usbDev, { recursive: true, force: true });
  };
}

async function usbDevice(sysRoot: string, port: number, ids: UsbIds): Promise<string> {
  const usbDev = join(sysRoot, "devices/pci0000:00/0000:00:14.0/usb1", `1-${port}`);
  await mkdir(usbDev, { recursive: true });
  await writeFile(join(usbDev, "idVendor"), `${ids.vendorId}\n`);
  await writeFile(join(usbDev, "idProduct"), `${ids.productId}\n`);
  if (ids.serial) await writeFile(join(usbDev, "serial"), `${ids.serial}\n`);
  if (ids.manufacturer) await writeFile(join(usbDev, "manufacturer"), `${ids.manufacturer}\n`);
  if (ids.product) await writeFile(join(usbDev, "product"), `${ids.product}\n`);
  return usbDev;
}

/** A USB HID device with its hidraw node, uevent and report descriptor, as usbhid lays it out. */
export async function addHidraw(
  sysRoot: string,
  name: string,
  port: number,
  ids: UsbIds,
  descriptor: Buffer,
) {
  const usbDev = await usbDevice(sysRoot, port, ids);
  const hidDev = join(
    usbDev,
    `1-${port}:1.0`,
    `0003:${ids.vendorId.toUpperCase()}:${ids.productId.toUpperCase()}.0001`,
  );
  const classDev = join(hidDev, "hidraw", name);
  await mkdir(classDev, { recursive: true });
  await writeFile(join(hidDev, "report_descriptor"), descriptor);
  await writeFile(
    join(hidDev, "uevent"),
    `DRIVER=hid-generic\nHID_ID=0003:0000${ids.vendorId.toUpperCase()}:0000${ids.productId.toUpperCase()}\nHID_NAME=${ids.product ?? ""}\nHID_UNIQ=${ids.serial ?? ""}\n`,
  );
  await symlink(relative(classDev, hidDev), join(classDev, "device"));
  const classDir = join(sysRoot, "class/hidraw");
  await mkdir(classDir, { recursive: true });
  await symlink(relative(classDir, classDev), join(classDir, name));
}

/** A usblp printer: /sys/class/usbmisc/lpN. */
export async function addUsbPrinter(sysRoot: string, name: string, port: number, ids: UsbIds) {
  const usbDev = await usbDevice(sysRoot, port, ids);
  const iface = join(usbDev, `1-${port}:1.0`);
  const classDev = join(iface, "usbmisc", name);
  await mkdir(classDev, { recursive: true });
  await symlink(relative(classDev, iface), join(classDev, "device"));
  const classDir = join(sysRoot, "class/usbmisc");
  await mkdir(classDir, { recursive: true });
  await symlink(relative(classDir, classDev), join(classDir, name));
}
