// Assignments, hand-ins, extensions, grading and the comment thread of a submission (tag `homework`).
import { client, ok, done } from './client'
import type { AssignmentRequest, QueryOf } from './types'

const assignment = (assignment_id: string) => ({ params: { path: { assignment_id } } })
const submission = (submission_id: string) => ({ params: { path: { submission_id } } })

export const homework = {
  /** `GET /courses/{id}/assignments`: each as the caller sees it (a student: deadline, status, submission). */
  list: (courseId: string) => ok(client.GET('/api/v1/courses/{course_id}/assignments', { params: { path: { course_id: courseId } } })),
  get: (id: string) => ok(client.GET('/api/v1/assignments/{assignment_id}', assignment(id))),
  create: (courseId: string, body: AssignmentRequest) =>
    ok(client.POST('/api/v1/courses/{course_id}/assignments', { params: { path: { course_id: courseId } }, body })),
  update: (id: string, body: AssignmentRequest) => ok(client.PUT('/api/v1/assignments/{assignment_id}', { ...assignment(id), body })),
  /** `POST /assignments/{id}/submissions`: a new version (text and uploaded files). */
  handIn: (id: string, text: string | null, fileIds: string[]) =>
    ok(client.POST('/api/v1/assignments/{assignment_id}/submissions', { ...assignment(id), body: { text, file_ids: fileIds } })),
  /** `GET /assignments/{id}/submissions` (staff): by the student's name or e-mail and state, a page at a time. */
  submissions: (id: string, query: QueryOf<'/api/v1/assignments/{assignment_id}/submissions'> = {}) =>
    ok(client.GET('/api/v1/assignments/{assignment_id}/submissions', { params: { path: { assignment_id: id }, query } })),
  extensions: (id: string) => ok(client.GET('/api/v1/assignments/{assignment_id}/extensions', assignment(id))),
  grantExtension: (id: string, studentId: string, dueAt: string) =>
    ok(client.POST('/api/v1/assignments/{assignment_id}/extensions', { ...assignment(id), body: { student_id: studentId, due_at: dueAt } })),
  revokeExtension: (id: string, studentId: string) =>
    done(client.DELETE('/api/v1/assignments/{assignment_id}/extensions/{student_id}', { params: { path: { assignment_id: id, student_id: studentId } } })),
  submission: (id: string) => ok(client.GET('/api/v1/submissions/{submission_id}', submission(id))),
  history: (id: string) => ok(client.GET('/api/v1/submissions/{submission_id}/history', submission(id))),
  /** `GET /submissions/{id}/grade-preview`: what grading with `rawScore` would store (nothing is written). */
  gradePreview: (id: string, rawScore: number) =>
    ok(client.GET('/api/v1/submissions/{submission_id}/grade-preview', { params: { path: { submission_id: id }, query: { raw_score: rawScore } } })),
  grade: (id: string, rawScore: number, feedback: string, expectedVersion: number) =>
    ok(client.POST('/api/v1/submissions/{submission_id}/grade', { ...submission(id), body: { raw_score: rawScore, feedback, expected_version: expectedVersion } })),
  returnForRework: (id: string, feedback: string, expectedVersion: number) =>
    ok(client.POST('/api/v1/submissions/{submission_id}/return', { ...submission(id), body: { feedback, expected_version: expectedVersion } })),
  /** `GET /submissions/{id}/comments`: the thread (oldest message first) with the caller's read mark and `unread`. */
  comments: (id: string) => ok(client.GET('/api/v1/submissions/{submission_id}/comments', submission(id))),
  /**
   * `POST /submissions/{id}/comments`: a message (rich text; pictures uploaded as drafts) with files
   * (the caller's drafts from `POST /files`, at most 10; the text may then be empty); the message as stored.
   */
  postComment: (id: string, body: string, fileIds: string[] = []) =>
    ok(client.POST('/api/v1/submissions/{submission_id}/comments', { ...submission(id), body: { body, file_ids: fileIds } })),
  /** `POST /submissions/{id}/comments/read`: the thread read by the caller up to now. */
  markCommentsRead: (id: string) => done(client.POST('/api/v1/submissions/{submission_id}/comments/read', submission(id))),
  /** `GET /grading-queue`: submissions waiting, each naming its student and assignment. */
  gradingQueue: (query: QueryOf<'/api/v1/grading-queue'> = {}) => ok(client.GET('/api/v1/grading-queue', { params: { query } })),
}
