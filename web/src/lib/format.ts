// Numbers in the UI language: 4,8 in Russian and 4.8 in English, "67 %"
// and "67%". Every score and percentage on screen goes through these.

const tag = (locale: string) => (locale === 'en' ? 'en-GB' : 'ru-RU')
const cache = new Map<string, Intl.NumberFormat>()
function formatter(locale: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${tag(locale)}|${JSON.stringify(opts)}`
  let f = cache.get(key)
  if (!f) cache.set(key, (f = new Intl.NumberFormat(tag(locale), opts)))
  return f
}

const missing = (n: number | null | undefined): n is null | undefined => n == null || !Number.isFinite(n)

/** A number with up to `maxDigits` decimals ("4,8"); "—" when there is none. */
export function formatNumber(n: number | null | undefined, locale: string, maxDigits = 2): string {
  if (missing(n)) return '—'
  return formatter(locale, { maximumFractionDigits: maxDigits, useGrouping: true }).format(n)
}

/** "4,8 / 10"; "—" without a score. */
export function formatScore(score: number | null | undefined, max: number | null | undefined, locale: string): string {
  if (missing(score)) return '—'
  return missing(max) ? formatNumber(score, locale) : `${formatNumber(score, locale)} / ${formatNumber(max, locale)}`
}

/**
 * A percentage: `value` is in percent (87.5 → "87,5 %"), or a 0..1 share
 * when `share` is set (0.667 → "66,7 %"). One decimal at most.
 */
export function formatPercent(value: number | null | undefined, locale: string, share = false): string {
  if (missing(value)) return '—'
  return formatter(locale, { style: 'percent', maximumFractionDigits: 1 }).format(share ? value : value / 100)
}
