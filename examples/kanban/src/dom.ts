// A small element builder and the page's number and time formats.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/**
 * Creates an element: `on*` attributes become listeners, `true` a bare attribute, null/false/
 * undefined nothing; children may be nodes, strings or nothing.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(name, '');
    else if (value !== null && value !== undefined && value !== false) el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) el.append(child);
  }
  return el;
}

/** An amount in its currency (or a plain number without one), without decimals. */
export function money(amount: number, currency: string | null): string {
  if (!currency) return new Intl.NumberFormat('en', { maximumFractionDigits: 0 }).format(amount);
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency, maximumFractionDigits: 0 }).format(amount);
  } catch {
    return `${currency} ${new Intl.NumberFormat('en', { maximumFractionDigits: 0 }).format(amount)}`;
  }
}

/** A duration in days, one decimal below ten days. */
export function days(ms: number): string {
  const d = ms / 86_400_000;
  return `${d < 10 ? d.toFixed(1) : Math.round(d)} d`;
}
