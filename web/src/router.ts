import { createRouter, createWebHistory } from 'vue-router'
import { session, loadMe } from './session'
import { redirectForRole } from './lib/nav'
import { settleConfirm } from './lib/confirm'
import { noteForLogin } from './lib/notice'

import shared from '../../lms-core/src/notification/web_paths.json'

const v = (name: string) => () => import(`./views/${name}.vue`)

/** The paths e-mails, Telegram messages and calendar feeds link to, defined
 * once for the server and this router (`{id}` becomes `:id`). */
export const linked: Record<keyof typeof shared, string> = Object.fromEntries(
  Object.entries(shared).map(([k, p]) => [k, p.replace(/\{(\w+)\}/g, ':$1')]),
) as Record<keyof typeof shared, string>

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: v('Login'), meta: { public: true } },
    { path: '/forgot-password', name: 'forgot-password', component: v('ForgotPassword'), meta: { public: true, guestOnly: true } },
    { path: '/register', name: 'register', component: v('Register'), meta: { public: true, guestOnly: true } },
    // One-time links from e-mails: open whether or not someone is logged in.
    { path: linked.password_reset, name: 'reset-password', component: v('ResetPassword'), props: true, meta: { public: true } },
    { path: linked.invitation, name: 'invitation', component: v('Invitation'), props: true, meta: { public: true } },
    { path: '/', name: 'home', component: v('Dashboard') },
    { path: '/courses', name: 'courses', component: v('Courses') },
    { path: linked.course, name: 'course', component: v('Course'), props: true },
    { path: '/courses/:courseId/lessons/new', name: 'lesson-new', component: v('LessonEdit'), props: true },
    { path: '/lessons/:id', name: 'lesson', component: v('Lesson'), props: true },
    { path: '/lessons/:id/edit', name: 'lesson-edit', component: v('LessonEdit'), props: true },
    { path: '/homework', name: 'homework', component: v('HomeworkList') },
    { path: linked.assignment, name: 'assignment', component: v('Assignment'), props: true },
    { path: '/courses/:courseId/assignments/new', name: 'assignment-new', component: v('AssignmentEdit'), props: true },
    { path: '/assignments/:id/edit', name: 'assignment-edit', component: v('AssignmentEdit'), props: true },
    { path: '/quizzes', name: 'quizzes', component: v('Quizzes') },
    { path: linked.quiz, name: 'quiz', component: v('Quiz'), props: true },
    { path: '/courses/:courseId/quizzes/new', name: 'quiz-new', component: v('QuizBuilder'), props: true },
    { path: '/quizzes/:id/build', name: 'quiz-build', component: v('QuizBuilder'), props: true },
    { path: '/quizzes/:id/analysis', name: 'quiz-analysis', component: v('QuizAnalysis'), props: true },
    { path: '/courses/:courseId/bank', name: 'bank', component: v('QuestionBank'), props: true },
    { path: '/attempts/:id', name: 'attempt', component: v('Attempt'), props: true },
    { path: '/attempts/:id/review', name: 'review', component: v('Review'), props: true },
    { path: linked.schedule, name: 'schedule', component: v('Schedule') },
    { path: '/courses/:courseId/webinars/new', name: 'webinar-new', component: v('WebinarEdit'), props: true },
    { path: '/webinars/:id/edit', name: 'webinar-edit', component: v('WebinarEdit'), props: true },
    { path: '/progress', name: 'progress', component: v('Progress') },
    { path: linked.achievements, name: 'achievements', component: v('Achievements') },
    { path: linked.settings, name: 'settings', component: v('Settings') },
    { path: '/notifications', name: 'notifications', component: v('Notifications') },
    { path: '/grading', name: 'grading', component: v('GradingQueue') },
    { path: '/submissions/:id', name: 'submission', component: v('Submission'), props: true },
    { path: '/courses/:id/gradebook', name: 'gradebook', component: v('Gradebook'), props: true },
    { path: '/courses/:id/statistics', name: 'statistics', component: v('Statistics'), props: true },
    { path: '/courses/:id/groups', name: 'groups', component: v('CourseGroups'), props: true },
    { path: '/courses/:id/students/:studentId', name: 'course-student', component: v('CourseStudent'), props: true },
    { path: '/admin/users', name: 'users', component: v('AdminUsers') },
    { path: '/admin/import', name: 'import', component: v('AdminImport') },
    { path: '/:rest(.*)*', name: 'notfound', component: v('NotFound') },
  ],
})

router.beforeEach(async (to) => {
  if (!session.checked) await loadMe()
  if (!to.meta.public && !session.user) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  // The login page and the pages for getting in go home once logged in.
  if ((to.name === 'login' || to.meta.guestOnly) && session.user) return { name: 'home' }
  // Student-only pages send staff to theirs, and the other way round.
  const elsewhere = redirectForRole(session.user?.role, to.name)
  if (elsewhere) return { name: elsewhere }
})
// A question asked on a page does not outlive it (e.g. the quiz timer ran out
// while "Finish the quiz?" was open).
router.afterEach(() => settleConfirm(false))

/**
 * A request was refused with 401 (the session ended: the password was
 * changed on another device or by an admin, a logout in another tab, or
 * it expired): to the login page, which says so. Public pages (an
 * invitation or reset link) stay where they are.
 */
export function sessionLost() {
  const wasIn = !!session.user
  session.user = null
  const here = router.currentRoute.value
  if (here.name === 'login' || here.meta.public) return
  if (wasIn) noteForLogin('session_ended')
  return router.push({ name: 'login', query: { next: here.fullPath } })
}
