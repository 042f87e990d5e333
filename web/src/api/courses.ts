// Courses, their staff and students (tag `courses`).
import { client, ok, done } from './client'
import type { BulkOutcome, CourseCover, CourseStatus, QueryOf, UpdateCourseRequest } from './types'

const course = (course_id: string) => ({ params: { path: { course_id } } })

export const courses = {
  /** `GET /courses`: the caller's courses, each with its `can_*` flags. */
  list: (query: QueryOf<'/api/v1/courses'> = {}) => ok(client.GET('/api/v1/courses', { params: { query } })),
  /** `GET /courses/{id}`: the course, the caller's role and `can_manage`/`can_grade`/`can_study`. */
  get: (id: string) => ok(client.GET('/api/v1/courses/{course_id}', course(id))),
  create: (title: string, description = '') => ok(client.POST('/api/v1/courses', { body: { title, description } })),
  update: (id: string, body: UpdateCourseRequest) => ok(client.PUT('/api/v1/courses/{course_id}', { ...course(id), body })),
  /** `POST /courses/join`: a student joins with an invite code. */
  join: (code: string) => ok(client.POST('/api/v1/courses/join', { body: { code } })),
  /** `null`: the theme picked from the title. */
  setCover: (id: string, cover: CourseCover | null) => ok(client.PUT('/api/v1/courses/{course_id}/cover', { ...course(id), body: { cover } })),
  setStatus: (id: string, status: CourseStatus) => ok(client.PUT('/api/v1/courses/{course_id}/status', { ...course(id), body: { status } })),
  rotateInviteCode: (id: string) => ok(client.POST('/api/v1/courses/{course_id}/invite-code', course(id))),
  disableInviteCode: (id: string) => done(client.DELETE('/api/v1/courses/{course_id}/invite-code', course(id))),
  /** `GET /courses/{id}/students`: found by name or e-mail, a page at a time. */
  students: (id: string, query: QueryOf<'/api/v1/courses/{course_id}/students'> = {}) =>
    ok(client.GET('/api/v1/courses/{course_id}/students', { params: { path: { course_id: id }, query } })),
  enroll: (id: string, studentId: string) => ok(client.POST('/api/v1/courses/{course_id}/students', { ...course(id), body: { student_id: studentId } })),
  unenroll: (id: string, userId: string) =>
    done(client.DELETE('/api/v1/courses/{course_id}/students/{user_id}', { params: { path: { course_id: id, user_id: userId } } })),
  /** `POST /courses/{id}/students/bulk`: one outcome per student. */
  bulkStudents: (id: string, action: 'enrol' | 'unenrol', studentIds: string[]): Promise<BulkOutcome[]> =>
    ok(client.POST('/api/v1/courses/{course_id}/students/bulk', { ...course(id), body: { action, student_ids: studentIds } })),
  assistants: (id: string) => ok(client.GET('/api/v1/courses/{course_id}/assistants', course(id))),
  addAssistant: (id: string, userId: string) => ok(client.POST('/api/v1/courses/{course_id}/assistants', { ...course(id), body: { user_id: userId } })),
  removeAssistant: (id: string, userId: string) =>
    done(client.DELETE('/api/v1/courses/{course_id}/assistants/{user_id}', { params: { path: { course_id: id, user_id: userId } } })),
  /** `POST /courses/{id}/member-names`: display names of those of `userIds` in the course. */
  memberNames: (id: string, userIds: string[]) => ok(client.POST('/api/v1/courses/{course_id}/member-names', { ...course(id), body: { user_ids: userIds } })),
  /** `GET /courses/{id}/statistics` (staff). */
  statistics: (id: string) => ok(client.GET('/api/v1/courses/{course_id}/statistics', course(id))),
}
