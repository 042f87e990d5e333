// The question bank of a course (`GET /courses/{id}/bank`, lms-core
// `bank`) and the random slots of a quiz: what the bank page, the quiz
// builder and the item analysis work out for display. Pure functions.
import type { CategoryCount, QuestionBody } from '../api/types'
import { shortLabel } from './stats'

/** A category in the side list: its path, last part, depth (`/` count) and counts. */
export interface CategoryNode {
  /** The full path (`ЕГЭ/Задание 1`), what a filter sends. */
  path: string
  /** The last part (`Задание 1`), what the list shows, indented by `depth`. */
  name: string
  /** 0 for a top category, 1 for its subcategories, … */
  depth: number
  /** Questions directly in it. */
  own: number
  /** Questions in it and its subcategories (what a filter by it lists). */
  total: number
}

const collator = new Intl.Collator('ru', { numeric: true, sensitivity: 'base' })

/** Orders paths part by part, numbers by value: `A` < `A/Задание 2` < `A/Задание 10` < `B`. */
export function comparePaths(a: string, b: string): number {
  const x = a.split('/')
  const y = b.split('/')
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = collator.compare(x[i], y[i])
    if (c) return c
  }
  return x.length - y.length
}

/**
 * The bank's categories as a tree in list order, parents before their
 * subcategories. A parent that holds no question itself (only `ЕГЭ/Задание 1`
 * is stored) is still listed, so the tree has no gaps. The top (`""`) is not
 * a node: "all questions" stands for it.
 */
export function categoryTree(categories: readonly CategoryCount[]): CategoryNode[] {
  const own = new Map<string, number>()
  const paths = new Set<string>()
  for (const c of categories) {
    own.set(c.category, (own.get(c.category) ?? 0) + c.questions)
    if (!c.category) continue
    const parts = c.category.split('/')
    for (let i = 1; i <= parts.length; i++) paths.add(parts.slice(0, i).join('/'))
  }
  return [...paths].sort(comparePaths).map((path) => {
    const parts = path.split('/')
    let total = 0
    for (const [p, n] of own) if (p === path || p.startsWith(`${path}/`)) total += n
    return { path, name: parts[parts.length - 1], depth: parts.length - 1, own: own.get(path) ?? 0, total }
  })
}

/** Tags as typed (`ЕГЭ, устно; алгебра`): trimmed, lower-cased, each once, without empty ones. */
export function parseTags(text: string): string[] {
  const out: string[] = []
  for (const raw of text.split(/[,;]/)) {
    const tag = raw.trim().toLowerCase()
    if (tag && !out.includes(tag)) out.push(tag)
  }
  return out
}

/** A translation key with its parameters. */
export interface Said {
  key: string
  params: Record<string, unknown>
}

/**
 * How a random slot reads in the quiz's question list: «Случайно: 5 из
 * «ЕГЭ/Задание 1»», «… с тегом «x»», «… из всего банка», «Случайно: 1 из 3
 * выбранных вопросов»; `null` for a question.
 */
export function slotLabel(body: QuestionBody): Said | null {
  if (body.kind !== 'random') return null
  const { pool, count } = body
  if (pool.from === 'questions') return { key: 'bank.slot_questions', params: { count, n: pool.ids.length } }
  const tag = pool.tag ?? ''
  if (!pool.category) return tag ? { key: 'bank.slot_all_tag', params: { count, tag } } : { key: 'bank.slot_all', params: { count } }
  return tag ? { key: 'bank.slot_category_tag', params: { count, category: pool.category, tag } } : { key: 'bank.slot_category', params: { count, category: pool.category } }
}

/**
 * Why the server refused a random slot (`invalid_pool`, or
 * `invalid_question` about the draw), from its message (lms-core
 * `PoolError`, `QuestionError::Draw`), in words: «В пуле 3 вопроса — меньше,
 * чем нужно взять (5)». `null` when the message is none of these.
 */
export function poolProblem(message: string): Said | null {
  const small = /holds (\d+) questions?, fewer than the (\d+)/.exec(message)
  if (small) return { key: 'bank.pool_too_small', params: { available: Number(small[1]), wanted: Number(small[2]) } }
  if (/not in that course's bank/.test(message)) return { key: 'bank.pool_unknown_question', params: {} }
  if (/course you do not manage/.test(message)) return { key: 'bank.pool_course', params: {} }
  if (/random slot draws/.test(message)) return { key: 'bank.pool_draw', params: {} }
  if (/category/.test(message)) return { key: 'bank.pool_category', params: {} }
  if (/tags?\b/.test(message)) return { key: 'bank.pool_tag', params: {} }
  return null
}

/** Plain text of sanitised HTML, white space collapsed (for a table cell). */
export function plainText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
}

/** The start of a prompt for a table: plain text, cut to `max` characters with «…». */
export const promptStart = (html: string, max = 80) => shortLabel(plainText(html), max)

// ---------------------------------------------------------------- item analysis

/** What the analysis flags about a question (see `itemHints`). */
export type Hint = 'too_hard' | 'too_easy' | 'poor_discrimination'

/** Below this facility a question is «слишком трудный». */
export const HARD_BELOW = 0.2
/** Above this facility a question is «слишком лёгкий». */
export const EASY_ABOVE = 0.9
/** Below this discrimination a question «плохо различает». */
export const DISCRIMINATION_BELOW = 0.2

/** The hints for a question's facility and discrimination indices (none when unknown). */
export function itemHints(stats: { facility?: number | null; discrimination?: number | null }): Hint[] {
  const out: Hint[] = []
  const f = stats.facility
  if (f != null && f < HARD_BELOW) out.push('too_hard')
  if (f != null && f > EASY_ABOVE) out.push('too_easy')
  const d = stats.discrimination
  if (d != null && d < DISCRIMINATION_BELOW) out.push('poor_discrimination')
  return out
}

/** The message and the colour of each hint. */
export const HINTS: Record<Hint, { key: string; tone: 'danger' | 'warning' }> = {
  too_hard: { key: 'analysis.too_hard', tone: 'danger' },
  too_easy: { key: 'analysis.too_easy', tone: 'warning' },
  poor_discrimination: { key: 'analysis.poor_discrimination', tone: 'warning' },
}

/** Each value as a percentage of the largest (bar lengths; all 0 when every value is 0). */
export function barPercents(values: readonly number[]): number[] {
  const max = Math.max(0, ...values)
  return values.map((v) => (max > 0 ? Math.round((Math.max(0, v) / max) * 1000) / 10 : 0))
}

/** A share 0..1 of `part` in `whole` (0 when there is no whole). */
export const share = (part: number, whole: number) => (whole > 0 ? Math.min(1, Math.max(0, part / whole)) : 0)

/**
 * The key of «Импортировать N вопросов» with the noun agreeing with `n`
 * (Russian: 1, 21 → «вопрос»; 2–4, 22–24 → «вопроса»; else «вопросов»).
 */
export function importButtonKey(n: number, locale: string): 'bank.import_n_one' | 'bank.import_n_few' | 'bank.import_n_many' {
  const form = new Intl.PluralRules(locale === 'en' ? 'en-GB' : 'ru-RU').select(n)
  if (form === 'one') return 'bank.import_n_one'
  if (form === 'few') return 'bank.import_n_few'
  return 'bank.import_n_many'
}

/** An index such as the discrimination with two decimals («0,35», «−0,10»); «—» when there is none. */
export function formatIndex(n: number | null | undefined, locale: string): string {
  if (n == null || !Number.isFinite(n)) return '—'
  return new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n)
}

/** The label of a histogram bin: «0–10 %» («90–100 %» for the last, which holds 100 %). */
export const binLabel = (from: number, to: number, locale: string) => (locale === 'en' ? `${from}–${to}%` : `${from}–${to}\u00a0%`)
