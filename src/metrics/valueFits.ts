/** Whether a logged value has the type of its field. */
export function valueFits(field: unknown, value: unknown): boolean {
  switch (field) {
    case 'amount':
      return value === null || typeof value === 'number';
    case 'probability':
      return typeof value === 'number';
    case 'closingDate':
    case 'currency':
    case 'ownerId':
      return value === null || typeof value === 'string';
    default:
      return false;
  }
}
