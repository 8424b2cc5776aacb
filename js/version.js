// The package version, as telemetry.sdk.version. A test checks it against package.json.
export const SDK_VERSION = '0.1.0';
