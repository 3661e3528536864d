// The certificate workshop's commands and events (issue 3). Types only.

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PkiMethods {}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PkiEvents {}
