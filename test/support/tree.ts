import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";

export interface Entry {
  type: "d" | "f" | "l";
  mode: number;
  uid: number;
  gid: number;
  /** File: sha256 of the content; link: its target. */
  content: string;
  mtimeMs: number;
}

/** Every path under `root` (as "/a/b"), with type, mode, owner and content hash. */
export function snapshot(root: string, skip: (path: string) => boolean = () => false): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const visit = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = `${rel}/${name}`;
      if (skip(path)) continue;
      const st = lstatSync(join(root, path));
      const type = st.isSymbolicLink() ? "l" : st.isDirectory() ? "d" : "f";
      const content =
        type === "l"
          ? readlinkSync(join(root, path))
          : type === "f"
            ? createHash("sha256")
                .update(readFileSync(join(root, path)))
                .digest("hex")
            : "";
      out.set(path, { type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, content, mtimeMs: st.mtimeMs });
      if (type === "d") visit(path);
    }
  };
  visit("");
  return out;
}
