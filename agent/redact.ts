/**
 * A URL as it may be shown: any user-info (`user:password@`) replaced by `***@`. The config refuses
 * user-info in mqtt.url, but a URL from elsewhere (a command-line flag) must not leak either.
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1***@");
}
