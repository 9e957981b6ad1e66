export { syntheticFinger, FINGER_PATTERNS, type FingerImage, type SyntheticFingerOptions } from "./finger.js";
export { degrade, DEGRADATIONS, type Degradation } from "./degrade.js";
export type { PatternClass } from "./orientation.js";
