// Which menu entries and pages each role gets. A student's homework list and
// achievements mean nothing to staff (whose homework is the grading queue),
// and the grading queue means nothing to a student.
export type Role = 'admin' | 'teacher' | 'assistant' | 'student'

const STAFF: Role[] = ['teacher', 'assistant', 'admin']
const ALL: Role[] = ['student', ...STAFF]

export interface MenuEntry {
  /** The route path. */
  to: string
  /** The translation key of its label. */
  label: string
  /** `data-test` of the link. */
  test: string
  /** Its bootstrap-icons class (`bi-…`). */
  icon: string
}

const MENU: (MenuEntry & { roles: Role[] })[] = [
  { to: '/', label: 'nav.home', test: 'nav-home', icon: 'bi-house-door', roles: ALL },
  { to: '/courses', label: 'nav.courses', test: 'nav-courses', icon: 'bi-journal-bookmark', roles: ALL },
  { to: '/schedule', label: 'nav.schedule', test: 'nav-schedule', icon: 'bi-calendar3', roles: ALL },
  { to: '/homework', label: 'nav.homework', test: 'nav-homework', icon: 'bi-pencil-square', roles: ['student'] },
  { to: '/grading', label: 'nav.grading', test: 'nav-grading', icon: 'bi-check2-square', roles: STAFF },
  { to: '/quizzes', label: 'nav.quizzes', test: 'nav-quizzes', icon: 'bi-ui-checks', roles: ALL },
  { to: '/progress', label: 'nav.progress', test: 'nav-progress', icon: 'bi-graph-up', roles: ALL },
  { to: '/achievements', label: 'nav.achievements', test: 'nav-achievements', icon: 'bi-trophy', roles: ['student'] },
  { to: '/admin/users', label: 'nav.users', test: 'nav-users', icon: 'bi-people', roles: ['admin'] },
  { to: '/admin/import', label: 'nav.import', test: 'nav-import', icon: 'bi-file-earmark-arrow-up', roles: ['admin'] },
  { to: '/settings', label: 'nav.settings', test: 'nav-settings', icon: 'bi-gear', roles: ALL },
]

/** The side menu of a user with `role`, in order. */
export function menuFor(role: Role | null | undefined): MenuEntry[] {
  if (!role) return []
  return MENU.filter((m) => m.roles.includes(role)).map(({ to, label, test, icon }) => ({ to, label, test, icon }))
}

/** Pages (by route name) for some roles only, and where the others go instead. */
const ONLY: Record<string, { roles: Role[]; elsewhere: string }> = {
  homework: { roles: ['student'], elsewhere: 'grading' },
  achievements: { roles: ['student'], elsewhere: 'home' },
  grading: { roles: STAFF, elsewhere: 'homework' },
  bank: { roles: STAFF, elsewhere: 'home' },
  'quiz-analysis': { roles: STAFF, elsewhere: 'home' },
  users: { roles: ['admin'], elsewhere: 'home' },
  import: { roles: ['admin'], elsewhere: 'home' },
}

/** The route name to send `role` to instead of `routeName`, or `null` when the page is theirs. */
export function redirectForRole(role: Role | null | undefined, routeName: string | symbol | null | undefined): string | null {
  if (!role || typeof routeName !== 'string') return null
  const rule = ONLY[routeName]
  return rule && !rule.roles.includes(role) ? rule.elsewhere : null
}
