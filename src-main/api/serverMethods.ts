// The TLS servers' commands and events (issue 4). Types only.

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ServerMethods {}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ServerEvents {}
