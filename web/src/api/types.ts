// Names for the schemas of the server's OpenAPI document (generated into
// `schema.d.ts`): what the API answers and takes, as the views use them.
import type { components, paths } from './schema'

type S = components['schemas']

/** The query parameters of an operation (`GET /api/v1/users` → `QueryOf<'/api/v1/users'>`). */
export type QueryOf<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'delete' = 'get'> = NonNullable<
  paths[P][M] extends { parameters: { query?: infer Q } } ? Q : never
>

// Accounts and getting in
export type User = S['User']
export type Role = S['Role']
export type Locale = S['Locale']
export type LoginResponse = S['LoginResponse']
export type AccountMatch = S['AccountMatch']
export type BulkOutcome = S['BulkOutcome']
export type SchoolInfo = S['SchoolInfo']
export type ProfileRequest = S['ProfileRequest']
export type CreateUserRequest = S['CreateUserRequest']
export type RegisterRequest = S['RegisterRequest']
export type AcceptRequest = S['AcceptRequest']

// Onboarding
export type Invitation = S['Invitation']
export type InvitationStatus = S['InvitationStatus']
export type InvitationPreview = S['InvitationPreview']
export type InviteRequest = S['InviteRequest']
export type RowReport = S['RowReport']
export type RowAction = S['RowAction']
export type ImportReport = S['ImportReport']
export type ImportCounts = S['ImportCounts']

// Courses
/**
 * A course as the caller sees it (`GET /courses/{id}`, `GET /courses`): the
 * course, the caller's role in it (`null` for an admin who is not a member)
 * and what the server lets them do there — `can_manage` (owner or admin:
 * edit the course, its lessons, assignments, quizzes, webinars, invite
 * code, staff and enrolment), `can_grade` (owner, assistants, admins:
 * students, submissions, gradebook, statistics), `can_study` (an enrolled
 * student of a published course). Views show an action only when its flag
 * is set; they never work it out from roles.
 */
export type CourseView = S['CourseViewResponse']
export type Course = S['Course']
export type CourseRole = S['CourseRole']
export type CourseStatus = S['CourseStatus']
export type CourseCover = S['CourseCover']
export type StudentResponse = S['StudentResponse']
export type MemberName = S['MemberName']
export type UpdateCourseRequest = S['UpdateCourseRequest']

// Announcements of a course
/** `group_ids` empty: for the whole course. */
export type Announcement = S['Announcement']
export type AnnouncementRequest = S['AnnouncementRequest']
/** An announcement on a student's dashboard, with its course's title. */
export type AnnouncementItem = S['AnnouncementItem']

// Groups of a course's students and their mentors
export type Group = S['Group']
export type GroupMember = S['GroupMember']
export type GroupMove = S['GroupMove']
export type CreateGroupRequest = S['CreateGroupRequest']
export type UpdateGroupRequest = S['UpdateGroupRequest']

// Lessons
export type Lesson = S['Lesson']
export type LessonRequest = S['LessonRequest']
export type LessonProgress = S['LessonProgress']
export type LessonMark = S['LessonMark']
export type FileRef = S['FileRef']

// Homework
export type Assignment = S['Assignment']
export type AssignmentView = S['AssignmentView']
export type AssignmentRequest = S['AssignmentRequest']
export type SubmissionKind = S['SubmissionKind']
export type Submission = S['Submission']
export type SubmissionState = S['SubmissionState']
export type SubmissionVersion = S['SubmissionVersion']
export type HomeworkStatus = S['HomeworkStatus']
export type HandInResult = S['HandInResult']
export type Extension = S['Extension']
export type GradePreview = S['GradePreview']
export type GradeAuditEntry = S['GradeAuditEntry']
export type PendingSubmission = S['PendingSubmission']
export type CommentThread = S['CommentThread']
export type SubmissionComment = S['SubmissionComment']
export type CommentRequest = S['CommentRequest']

// Quizzes
export type Quiz = S['Quiz']
export type QuizOverview = S['QuizOverview']
export type QuizRequest = S['QuizRequest']
export type SettingsRequest = S['SettingsRequest']
export type ScoringPolicy = S['ScoringPolicy']
export type RevealPolicy = S['RevealPolicy']
export type Question = S['Question']
export type QuestionBody = S['QuestionBody']
export type QuestionRequest = S['QuestionRequest']
export type QuestionKind = QuestionBody['kind']
export type Choice = S['Choice']
export type StudentQuestion = S['StudentQuestion']
export type StudentQuestionBody = S['StudentQuestionBody']
export type Answer = S['Answer']
export type CorrectAnswer = S['CorrectAnswer']
export type AttemptView = S['AttemptView']
export type AttemptSummary = S['AttemptSummary']
/** An attempt in a quiz's staff list, naming its student. */
export type StaffAttemptSummary = S['StaffAttemptSummary']
/** A finished attempt with essays waiting for a grade (the grading page). */
export type PendingEssay = S['PendingEssay']
export type AttemptOutcome = S['AttemptOutcome']
export type AttemptReview = S['AttemptReview']
export type ReviewItem = S['ReviewItem']
export type QuestionScore = S['QuestionScore']

// The question bank of a course and the item analysis of a quiz
export type BankQuestion = S['BankQuestion']
export type BankListing = S['BankListing']
export type CategoryCount = S['CategoryCount']
export type BankQuestionRequest = S['BankQuestionRequest']
export type BankImportRequest = S['BankImportRequest']
export type ImportedQuestion = S['ImportedQuestion']
export type ImportIssue = S['ImportIssue']
/** What an import would create (`written: false`, the preview) or created, and the lines it cannot. */
export type BankImportReport = S['BankImportReport']
/** `gift`, `aiken` or `csv`. */
export type BankFormat = S['Format']
/** Where a quiz's random slot (`{"kind": "random", "pool", "count"}`) draws its questions from. */
export type Pool = S['Pool']
export type QuizAnalysis = S['QuizAnalysis']
/** One question's statistics in a quiz's item analysis (`ItemStats` in the document). */
export type QuestionStats = S['ItemStats']
export type HistogramBin = S['HistogramBin']
export type OptionCount = S['OptionCount']

// Webinars and the schedule
export type Webinar = S['Webinar']
export type WebinarView = S['WebinarView']
export type ProviderKind = S['ProviderKind']
export type ScheduleWebinarRequest = S['ScheduleWebinarRequest']
export type ScheduleView = S['ScheduleView']
export type ScheduleEvent = S['ScheduleEvent']
export type EventSource = S['EventSource']
export type CalendarFeed = S['CalendarFeed']

// Dashboards, statistics, gradebook, achievements
export type StudentDashboard = S['StudentDashboard']
export type StaffDashboard = S['StaffDashboard']
export type NextStep = S['NextStep']
export type HomeworkItem = S['HomeworkItem']
export type QuizResultItem = S['QuizResultItem']
export type CourseProgressView = S['CourseProgressView']
/** A group on the staff dashboard («Мои группы») with the students falling behind. */
export type WatchedGroup = S['WatchedGroup']
export type BehindStudent = S['BehindStudent']
/** One student's standing in a course, as the staff who grade them see it. */
export type StudentOverview = S['StudentOverview']
export type AttemptItem = S['AttemptItem']
export type CourseStatistics = S['CourseStatistics']
export type ItemStatistics = S['ItemStatistics']
export type ColumnKind = S['ColumnKind']
export type Gradebook = S['Gradebook']
export type Achievement = S['Achievement']
export type Badge = S['Badge']

// Notifications
export type NotificationSettings = S['NotificationSettings']
export type PreferencesRequest = S['PreferencesRequest']
export type Channel = S['Channel']
export type ChannelStatus = S['ChannelStatus']
export type TelegramLink = S['TelegramLink']
export type NotificationKind = S['NotificationKind']
/** The data of a notification, tagged by `event` (`Notification` in the document; renamed here, the DOM has one). */
export type NoticeData = S['Notification']
/** One entry of the in-app list (the bell). */
export type InboxItem = S['InboxItem']
export type UnreadCount = S['UnreadCount']
export type MarkedRead = S['MarkedRead']
