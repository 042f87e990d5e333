// A course as the API shows it to the caller (`GET /api/v1/courses/{id}`,
// `GET /api/v1/courses`): the course, the caller's role in it and what the
// server will let them do there. Views show an action only when its flag
// is set; they never work it out from roles themselves.

export type CourseRole = 'owner' | 'assistant' | 'student'
export type CourseStatus = 'draft' | 'published' | 'archived'

export interface Course {
  id: string
  title: string
  description: string
  owner_id: string
  status: CourseStatus
  /** Shown to the course's staff only. */
  invite_code: string | null
  cover: string | null
  created_at: string
}

export interface CourseView {
  course: Course
  /** `null` for an admin who is not a member. */
  role: CourseRole | null
  /** Owner or admin (never an assistant): edit the course, its lessons,
   *  assignments, quizzes, webinars, invite code, staff and enrolment. */
  can_manage: boolean
  /** Owner, assistants, admins: students, submissions, gradebook, statistics. */
  can_grade: boolean
  /** An enrolled student of a published course: hand in, take quizzes. */
  can_study: boolean
}
