/** `1 deal`, `2 deals`: a count with its noun, pluralised for English messages. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
