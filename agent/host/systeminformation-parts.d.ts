// systeminformation's own types cover its index only; these files export the same functions.
declare module "systeminformation/lib/filesystem.js" {
  export { fsSize, diskLayout } from "systeminformation";
}
declare module "systeminformation/lib/memory.js" {
  export { mem } from "systeminformation";
}
declare module "systeminformation/lib/cpu.js" {
  export { cpuTemperature } from "systeminformation";
}
declare module "systeminformation/lib/osinfo.js" {
  export { osInfo } from "systeminformation";
}
