// systeminformation's own types cover its index only; these files export the same functions.
declare module "systeminformation/lib/filesystem.js" {
  export { diskLayout } from "systeminformation";
}
declare module "systeminformation/lib/osinfo.js" {
  export { osInfo } from "systeminformation";
}
