// Counts said in words, for what the engine, the CLI and the window print (the renderer shares it).

/** Count with a noun: "1 certificate", "3 certificates" (never "3 certificate(s)"). */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}
