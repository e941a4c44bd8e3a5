/** Whether a logged value has the type of its field; numbers are finite, as on the deal itself. */
export function valueFits(field: unknown, value: unknown): boolean {
  switch (field) {
    case 'amount':
      return value === null || Number.isFinite(value);
    case 'probability':
      return Number.isFinite(value);
    case 'closingDate':
    case 'currency':
    case 'ownerId':
      return value === null || typeof value === 'string';
    default:
      return false;
  }
}
