/**
 * Errors a person may read on the dashboard, as stable codes with parameters (issue 18). The API's
 * `error` stays the English sentence; the body adds `code` and `params`, which the dashboard words in
 * its reader's language (noc/public/i18n, `serverError.*`). Errors without a code show the English.
 */
export const ERROR_CODES = [
  "needs-role",
  "other-district",
  "collector-all-districts",
  "no-station",
  "not-found",
  "invalid-input",
  "body-too-large",
  "no-open-alert",
  "no-alert",
  "district-windows-only",
  "end-before-start",
  "window-too-long",
  "window-start-too-old",
  "no-window",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface CodedError {
  code: ErrorCode;
  params?: Record<string, string | number>;
}
