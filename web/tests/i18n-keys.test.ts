// Every translation key the UI uses exists in both languages (issue #16).
//
// 1. ru.json and en.json have the same keys.
// 2. Every static key in `src/` (`t('a.b')`, `$t("a.b")`, `te(…)`,
//    `i18n.global.t(…)`, `toastT(…)`, `keypath`, and any string literal that
//    starts with a locale section, such as menu labels `'nav.home'`) exists.
// 3. Every dynamic key (`'badges.' + a.badge`, `` `reset.${link}` ``) belongs
//    to a family registered below, and every value the API (or the UI) can
//    put into it has a key. A new dynamic key with no family fails the test.
//    Values from the Rust core are checked against its serde enums, so a
//    renamed or added variant fails here too.
import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { ROLES } from '../src/lib/directory'
import { CHANNELS, KINDS as NOTIFICATION_KINDS } from '../src/lib/delivery'
import { ACTIONS } from '../src/lib/onboarding'
import { COVERS } from '../src/lib/covers'
import { REGIONS } from '../src/lib/timezones'

const SRC = path.resolve(__dirname, '../src')
const CORE = path.resolve(__dirname, '../../lms-core/src')

// Read as plain JSON: importing the files gives the i18n plugin's compiled messages.
const ru = JSON.parse(fs.readFileSync(path.join(SRC, 'locales/ru.json'), 'utf8'))
const en = JSON.parse(fs.readFileSync(path.join(SRC, 'locales/en.json'), 'utf8'))

// ---------------------------------------------------------------- locales

type Json = { [k: string]: unknown }
function flatten(o: Json, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? flatten(v as Json, `${prefix}${k}.`) : [`${prefix}${k}`],
  )
}
const LOCALES = { ru: new Set(flatten(ru as Json)), en: new Set(flatten(en as Json)) }
const SECTIONS = new Set([...Object.keys(ru), ...Object.keys(en)])

/** The keys missing per language, as a readable list (empty when none). */
function missingIn(keys: Iterable<string>): string[] {
  const out: string[] = []
  for (const key of keys) for (const [lang, set] of Object.entries(LOCALES)) if (!set.has(key)) out.push(`${lang}: ${key}`)
  return out
}

// ---------------------------------------------------------------- sources

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) return walk(p)
    return /\.(vue|ts)$/.test(e.name) ? [p] : []
  })
}
const FILES = walk(SRC).map((p) => ({ file: path.relative(SRC, p), text: fs.readFileSync(p, 'utf8') }))

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length

/** A key as written: `a.b_c.D` (sections lower case, nested keys may be `Europe`). */
const KEY = /^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+$/
/** A dynamic key with `*` for what is filled in: `badges.*`, `delivery.*_*`. */
const PATTERN = /^[a-z][a-z0-9_*]*(\.[A-Za-z0-9_*]+)+$/

/** A call that translates its first argument. */
const CALL = /(?:(?<![\w$.])(?:\$?t|\$?te|\$?tm|\$?rt|tr|translate|toastT)|\bi18n\.global\.(?:t|te|tm))\(\s*(['"`])([^'"`]*?)\1\s*[,)]/g
/** `<i18n-t keypath="…">`, `keypath: '…'`, `v-t="'…'"`. */
const KEYPATH = /\bkeypath\s*[=:]\s*(['"])([^'"]+)\1|\bv-t="'([^']+)'"/g
/** Any quoted string (for literals naming a section, like `'nav.home'`). */
const LITERAL = /(['"`])([A-Za-z0-9_.]+)\1/g

interface Use {
  key: string
  where: string
}

function staticUses(): Use[] {
  const uses: Use[] = []
  for (const { file, text } of FILES) {
    const at = (i: number) => `${file}:${lineOf(text, i)}`
    for (const m of text.matchAll(CALL)) if (!m[2].includes('${')) uses.push({ key: m[2], where: at(m.index!) })
    for (const m of text.matchAll(KEYPATH)) uses.push({ key: m[2] ?? m[3], where: at(m.index!) })
    for (const m of text.matchAll(LITERAL)) {
      const s = m[2]
      // In a template, `v-if="school.selfRegistration"` is an expression, not a string.
      if (file.endsWith('.vue') && m[1] === '"' && text[m.index! - 1] === '=') continue
      // A literal followed by `+` is the start of a dynamic key, not a key.
      if (KEY.test(s) && SECTIONS.has(s.split('.')[0]) && !/^\s*\+/.test(text.slice(m.index! + m[0].length))) uses.push({ key: s, where: at(m.index!) })
    }
  }
  return uses
}

/** Dynamic keys: `'a.b' + x` → `a.b*`, `` `a.${x}_${y}` `` → `a.*_*`. */
function dynamicUses(): Use[] {
  const uses: Use[] = []
  for (const { file, text } of FILES) {
    const at = (i: number) => `${file}:${lineOf(text, i)}`
    for (const m of text.matchAll(/(['"])([a-z][a-z0-9_]*\.[A-Za-z0-9_.]*)\1\s*\+/g)) uses.push({ key: `${m[2]}*`, where: at(m.index!) })
    for (const m of text.matchAll(/`([^`]*)`/g)) {
      if (!m[1].includes('${')) continue
      const p = m[1].replace(/\$\{[^}]*\}/g, '*')
      if (PATTERN.test(p)) uses.push({ key: p, where: at(m.index!) })
    }
  }
  return uses
}

// ---------------------------------------------------------------- Rust enums

/**
 * The serde names of a Rust enum's variants: `rename_all = "snake_case"`
 * (`OnTimeStreak5` → `on_time_streak5`) unless a variant has its own
 * `#[serde(rename = "…")]` (then `on_time_streak_5`).
 */
function rustEnum(file: string, name: string): string[] {
  // Comments may hold unbalanced brackets: leave them out.
  const src = fs.readFileSync(path.join(CORE, file), 'utf8').replace(/\/\/[^\n]*/g, '')
  const start = src.search(new RegExp(`pub enum ${name}\\b[^{]*\\{`))
  if (start < 0) throw new Error(`enum ${name} not found in lms-core/src/${file}`)
  let i = src.indexOf('{', start) + 1
  let depth = 1
  let line = ''
  const lines: string[] = []
  for (; depth > 0; i++) {
    const c = src[i]
    if (c === '{' || c === '(') depth++
    else if (c === '}' || c === ')') depth--
    if (c === '\n') {
      lines.push(line)
      line = ''
    } else if (depth === 1 || (depth === 2 && (c === '(' || line.trimStart().startsWith('#[')))) line += c
  }
  const snake = (s: string) => s.replace(/(?<!^)(?=[A-Z])/g, '_').toLowerCase()
  const out: string[] = []
  let rename: string | null = null
  for (const raw of lines) {
    const l = raw.trim()
    if (!l || l.startsWith('//')) continue
    if (l.startsWith('#[')) {
      const r = /serde\s*\([^)]*\brename\s*=\s*"([^"]+)"/.exec(l)
      if (r) rename = r[1]
      continue
    }
    const v = /^([A-Z]\w*)/.exec(l)
    if (v) {
      out.push(rename ?? snake(v[1]))
      rename = null
    }
  }
  return out
}

// ---------------------------------------------------------------- values

// The values the API sends, mirroring the Rust core's serde enums (checked
// against them below: `rust` names the file under lms-core/src and the enum).

/** lms-core/src/achievement/model.rs `Badge` (`OnTimeStreak5` is renamed `on_time_streak_5`). */
const BADGES = ['first_homework', 'on_time_streak_5', 'perfect_quiz', 'course_completed']
/** lms-core/src/webinar/model.rs `ProviderKind` (`TrueConf` is renamed `trueconf`). */
const PROVIDERS = ['trueconf', 'telemost', 'external_link']
/** lms-core/src/homework/model.rs `HomeworkStatus`. */
const HOMEWORK_STATUSES = ['not_submitted', 'submitted', 'submitted_late', 'returned_for_rework', 'graded', 'missing']
/** lms-core/src/homework/model.rs `SubmissionState`. */
const SUBMISSION_STATES = ['submitted', 'submitted_late', 'returned_for_rework', 'graded']
/** lms-core/src/homework/model.rs `SubmissionKind`. */
const SUBMISSION_KINDS = ['text', 'files', 'text_and_files']
/** lms-core/src/homework/model.rs `AuditAction` (its `action` tag). */
const AUDIT_ACTIONS = ['graded', 'returned']
/** lms-core/src/quiz/model.rs `QuestionBody` (its `kind` tag). */
const QUESTION_KINDS = ['single_choice', 'multiple_choice', 'true_false', 'short_text', 'numeric', 'matching', 'ordering', 'essay', 'random']
/** lms-core/src/quiz/model.rs `AttemptState`. */
const ATTEMPT_STATES = ['open', 'submitted', 'auto_submitted']
/** lms-core/src/quiz/model.rs `ScoringPolicy`. */
const SCORING = ['best', 'last', 'average', 'first']
/** lms-core/src/quiz/model.rs `RevealPolicy`. */
const REVEAL = ['after_attempt', 'after_close', 'never']
/** lms-core/src/course/model.rs `CourseStatus`. */
const COURSE_STATUSES = ['draft', 'published', 'archived']
/** lms-core/src/course/model.rs `CourseRole`. */
const COURSE_ROLES = ['owner', 'assistant', 'student']
/** lms-core/src/schedule/model.rs `EventSource` (its `kind` tag). */
const EVENT_KINDS = ['lesson', 'deadline', 'quiz_window', 'webinar']
/** lms-core/src/gradebook/model.rs `ColumnKind` (also the statistics' item kinds). */
const COLUMN_KINDS = ['assignment', 'quiz']
/** lms-core/src/onboarding/model.rs `InvitationStatus`. */
const INVITATION_STATUSES = ['pending', 'accepted', 'revoked']
/** lms-core/src/dashboard/next.rs `NextStepKind`. */
const NEXT_STEP_KINDS = ['rework', 'overdue', 'deadline', 'quiz', 'webinar', 'lessons']

/** The UI's own lists (values that do not come from the API). */
/** src/lib/review.ts `Verdict`. */
const VERDICTS = ['right', 'wrong', 'partial', 'pending']
/** src/lib/onboarding.ts `fileProblem`. */
const FILE_PROBLEMS = ['too_large', 'empty']
/** src/lib/onboarding.ts `linkProblem`. */
const LINK_PROBLEMS = ['invalid', 'expired']
/** src/lib/delivery.ts `channelProblem`. */
const CHANNEL_PROBLEMS = ['unavailable', 'not_linked']
/** src/views/AdminImport.vue: the CSV columns listed. */
const IMPORT_COLUMNS = ['email', 'name', 'role', 'courses', 'group', 'locale', 'tz']
/** src/views/Statistics.vue: the cards. */
const STAT_CARDS = ['students', 'due', 'pending', 'submission_rate', 'hw_avg', 'quiz_avg', 'late_share']
/** src/views/Course.vue: the tabs. */
const COURSE_TABS = ['lessons', 'assignments', 'quizzes', 'webinars', 'students']

const RUST: [values: readonly string[], file: string, name: string, except?: string[]][] = [
  [BADGES, 'achievement/model.rs', 'Badge'],
  [PROVIDERS, 'webinar/model.rs', 'ProviderKind'],
  [ROLES, 'user/model.rs', 'Role'],
  [HOMEWORK_STATUSES, 'homework/model.rs', 'HomeworkStatus'],
  [SUBMISSION_STATES, 'homework/model.rs', 'SubmissionState'],
  [SUBMISSION_KINDS, 'homework/model.rs', 'SubmissionKind'],
  [AUDIT_ACTIONS, 'homework/model.rs', 'AuditAction'],
  [QUESTION_KINDS, 'quiz/model.rs', 'QuestionBody'],
  [ATTEMPT_STATES, 'quiz/model.rs', 'AttemptState'],
  [SCORING, 'quiz/model.rs', 'ScoringPolicy'],
  [REVEAL, 'quiz/model.rs', 'RevealPolicy'],
  [COURSE_STATUSES, 'course/model.rs', 'CourseStatus'],
  [COURSE_ROLES, 'course/model.rs', 'CourseRole'],
  [COVERS, 'course/model.rs', 'CourseCover'],
  [EVENT_KINDS, 'schedule/model.rs', 'EventSource'],
  [COLUMN_KINDS, 'gradebook/model.rs', 'ColumnKind'],
  [INVITATION_STATUSES, 'onboarding/model.rs', 'InvitationStatus'],
  [ACTIONS, 'onboarding/service/plan.rs', 'RowAction'],
  [NEXT_STEP_KINDS, 'dashboard/next.rs', 'NextStepKind'],
  // The in-app list (the bell) is always on: not a channel one chooses or names.
  [CHANNELS, 'notification/model.rs', 'Channel', ['in_app']],
  // Invitations and password resets go by e-mail only and have no preference.
  [NOTIFICATION_KINDS, 'notification/model.rs', 'NotificationKind', ['invitation', 'password_reset']],
]

// ---------------------------------------------------------------- families

interface Family {
  /** The dynamic key as found in the code, `*` for each filled-in part. */
  pattern: string
  /** Every key it can produce; empty with `optional` when the code falls back. */
  keys: string[]
  /** Why a missing key is fine: the code checks `te()` and shows something else. */
  optional?: string
}
const fam = (pattern: string, values: readonly string[]): Family => ({ pattern, keys: values.map((v) => pattern.replace('*', v)) })
const product = (pattern: string, a: readonly string[], b: readonly string[]): Family => ({
  pattern,
  keys: a.flatMap((x) => b.map((y) => pattern.replace('*', x).replace('*', y))),
})

const FAMILIES: Family[] = [
  fam('badges.*', BADGES),
  fam('badges_desc.*', BADGES),
  fam('providers.*', PROVIDERS),
  fam('roles.*', ROLES),
  fam('hw_status.*', HOMEWORK_STATUSES),
  fam('sub_state.*', SUBMISSION_STATES),
  fam('hw_kind.*', SUBMISSION_KINDS),
  fam('audit.*', AUDIT_ACTIONS),
  fam('qkind.*', QUESTION_KINDS),
  fam('attempt_state.*', ATTEMPT_STATES),
  fam('scoring.*', SCORING),
  fam('reveal.*', REVEAL),
  fam('course_status.*', COURSE_STATUSES),
  fam('course_role.*', COURSE_ROLES),
  fam('cover.names.*', ['auto', ...COVERS]),
  fam('event_kind.*', EVENT_KINDS),
  fam('gradebook.kind.*', COLUMN_KINDS),
  fam('invitation_status.*', INVITATION_STATUSES),
  fam('next.*', NEXT_STEP_KINDS),
  fam('channels.*', CHANNELS),
  fam('nkind.*', NOTIFICATION_KINDS),
  product('delivery.*_*', CHANNELS, CHANNEL_PROBLEMS),
  fam('tz_region.*', ['russia', ...REGIONS]),
  fam('import_counts.*', ACTIONS),
  product('import_*.*', ['will', 'did'], ACTIONS),
  // `invitedKey`: a skipped row has its own keys, an error row is an error response.
  fam('invite_done.*', ACTIONS.filter((a) => a !== 'skip' && a !== 'error')),
  fam('import.*', FILE_PROBLEMS),
  fam('import.col_*', IMPORT_COLUMNS),
  fam('reset.*', LINK_PROBLEMS),
  fam('invitation.*', LINK_PROBLEMS),
  fam('review.verdict.*', VERDICTS),
  fam('stats.*', STAT_CARDS),
  fam('course_tabs.*', COURSE_TABS),
  { pattern: 'stats_hint.*', keys: [], optional: 'shown only when `$te` finds it' },
  { pattern: 'errors.*', keys: [], optional: 'describeError falls back to the server message' },
  { pattern: 'field_errors.*', keys: [], optional: 'describeFieldError tries several keys, then a generic message' },
  { pattern: 'field_errors.*_*', keys: [], optional: 'describeFieldError tries several keys, then a generic message' },
  { pattern: 'field_errors.*_empty', keys: [], optional: 'describeFieldError tries several keys, then a generic message' },
  { pattern: 'field_errors.*_*_empty', keys: [], optional: 'describeFieldError tries several keys, then a generic message' },
  { pattern: 'field_labels.*', keys: [], optional: 'falls back to the field name' },
  { pattern: 'bulk_codes.*', keys: [], optional: 'codeText falls back to the code' },
  { pattern: 'import_codes.*', keys: [], optional: 'rowReason falls back to the server message' },
]

// ---------------------------------------------------------------- tests

describe('translation keys', () => {
  it('ru.json and en.json have the same keys', () => {
    const onlyRu = [...LOCALES.ru].filter((k) => !LOCALES.en.has(k))
    const onlyEn = [...LOCALES.en].filter((k) => !LOCALES.ru.has(k))
    expect({ 'missing in en.json': onlyRu, 'missing in ru.json': onlyEn }).toEqual({ 'missing in en.json': [], 'missing in ru.json': [] })
  })

  it('no message is empty', () => {
    const empty = (o: Json, lang: string) =>
      flatten(o).filter((k) => {
        const v = k.split('.').reduce<unknown>((x, p) => (x as Json)[p], o)
        return typeof v !== 'string' || !v.trim()
      }).map((k) => `${lang}: ${k}`)
    expect([...empty(ru as Json, 'ru'), ...empty(en as Json, 'en')]).toEqual([])
  })

  it('finds the code that translates (sanity)', () => {
    const keys = new Set(staticUses().map((u) => u.key))
    for (const k of ['nav.home', 'toast.handed_in', 'editor.bold', 'password.short', 'lesson_progress.done_one', 'bulk.done', 'next.quiz_running']) expect(keys).toContain(k)
    const patterns = new Set(dynamicUses().map((u) => u.key))
    for (const p of ['badges.*', 'providers.*', 'delivery.*_*', 'import_*.*', 'errors.*']) expect(patterns).toContain(p)
  })

  it('every static key in src/ exists in both languages', () => {
    const missing = staticUses().flatMap((u) => missingIn([u.key]).map((m) => `${m}  (${u.where})`))
    expect(missing).toEqual([])
  })

  it('every dynamic key in src/ belongs to a known family', () => {
    const known = new Set(FAMILIES.map((f) => f.pattern))
    const unknown = dynamicUses()
      .filter((u) => !known.has(u.key))
      .map((u) => `${u.key}  (${u.where}): add it to FAMILIES with every value it can take`)
    expect(unknown).toEqual([])
  })

  it('every family is still used (no stale entries)', () => {
    const used = new Set(dynamicUses().map((u) => u.key))
    expect(FAMILIES.map((f) => f.pattern).filter((p) => !used.has(p))).toEqual([])
  })

  it.each(FAMILIES.filter((f) => !f.optional).map((f) => [f.pattern, f] as const))('every value of %s has a key in both languages', (_, f) => {
    expect(f.keys.length).toBeGreaterThan(0)
    expect(missingIn(f.keys)).toEqual([])
  })

})

// The lists above mirror lms-core; this keeps them in step with it.
describe.skipIf(!fs.existsSync(CORE))('values from the Rust core', () => {
  it.each(RUST.map(([values, file, name, except]) => [name, values, file, except ?? []] as const))(
    'the values of %s match the Rust enum',
    (name, values, file, except) => {
      const rust = rustEnum(file, name).filter((v) => !except.includes(v))
      expect([...values].sort(), `lms-core/src/${file} ${name}`).toEqual([...rust].sort())
    },
  )
})
