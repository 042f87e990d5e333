//! Read models: dashboards and schedules.

use super::*;

// ---- read models -----------------------------------------------------------

impl State {
    pub(super) fn achievements_of(&self, user: UserId) -> Vec<Achievement> {
        let mut mine: Vec<(usize, &Achievement)> = self
            .achievements
            .iter()
            .enumerate()
            .filter(|(_, a)| a.user_id == user)
            .collect();
        mine.sort_by(|(ia, a), (ib, b)| a.awarded_at.cmp(&b.awarded_at).then(ia.cmp(ib)));
        mine.into_iter().map(|(_, a)| a.clone()).collect()
    }

    pub(super) fn staff_course_data(&self, course: &Course, role: CourseRole) -> StaffCourseData {
        StaffCourseData {
            course: course.clone(),
            role,
            student_count: u32::try_from(self.enrolled_students(course.id).len())
                .unwrap_or(u32::MAX),
            assignments: self.assignments_of(course.id),
            submissions: self.course_submissions(course.id),
            quizzes: self.quizzes_of(course.id),
            attempts: self.course_attempts(course.id, |a| a.state != AttemptState::Open),
            quiz_max_scores: self
                .quizzes_of(course.id)
                .iter()
                .map(|q| {
                    let points = self
                        .questions
                        .values()
                        .filter(|x| x.quiz_id == q.id)
                        .map(|x| x.points);
                    (q.id, Points::sum(points))
                })
                .collect(),
        }
    }
}

impl State {
    fn student_course_data(
        &self,
        course: &Course,
        student: UserId,
        now: DateTime<Utc>,
    ) -> StudentCourseData {
        let lessons = self.lessons_of(course.id);
        let visible: Vec<&Lesson> = lessons.iter().filter(|l| l.is_visible_at(now)).collect();
        let viewed = visible
            .iter()
            .filter(|l| self.lesson_views.contains_key(&(l.id, student)))
            .count();
        let submissions = self.submissions_where(|s| {
            s.student_id == student && self.course_of_assignment(s.assignment_id) == Some(course.id)
        });
        let attempts = self.course_attempts(course.id, |a| a.student_id == student);
        let mut announcements = self
            .announcements
            .iter()
            .filter(|a| {
                a.course_id == course.id
                    && self.audience_reads(a, crate::announcement::Audience::Student(student))
            })
            .map(|a| self.author_named(a))
            .collect::<Vec<_>>();
        announcements.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        announcements.truncate(crate::dashboard::ANNOUNCEMENTS_PER_COURSE as usize);
        let last_activity = lessons
            .iter()
            .filter_map(|l| self.lesson_views.get(&(l.id, student)).copied())
            .chain(
                submissions
                    .iter()
                    .filter_map(|s| s.latest().map(|v| v.submitted_at)),
            )
            .chain(
                attempts
                    .iter()
                    .flat_map(|a| [Some(a.started_at), a.finished_at])
                    .flatten(),
            )
            .max();
        StudentCourseData {
            course: course.clone(),
            lessons_visible: u32::try_from(visible.len()).unwrap_or(u32::MAX),
            lessons_viewed: u32::try_from(viewed).unwrap_or(u32::MAX),
            assignments: self
                .assignments_of(course.id)
                .into_iter()
                .filter(|a| a.published)
                .collect(),
            extensions: self.student_extensions_in(course.id, student),
            submissions,
            quizzes: self
                .quizzes_of(course.id)
                .into_iter()
                .filter(|q| q.published)
                .collect(),
            attempts,
            announcements,
            last_activity,
        }
    }
}

#[async_trait]
impl DashboardStore for MemoryStorage {
    async fn student_snapshot(
        &self,
        student: UserId,
        now: DateTime<Utc>,
    ) -> StorageResult<StudentSnapshot> {
        let st = self.lock();
        let courses: Vec<Course> = st
            .member_courses(student)
            .into_iter()
            .filter(|m| m.role == CourseRole::Student && m.course.status != CourseStatus::Draft)
            .map(|m| m.course)
            .collect();
        let data = courses
            .iter()
            .map(|course| st.student_course_data(course, student, now))
            .collect();
        let ids: Vec<CourseId> = courses.iter().map(|c| c.id).collect();
        Ok(StudentSnapshot {
            courses: data,
            webinars: st.upcoming_webinars(&ids, now),
            achievements: st.achievements_of(student),
        })
    }

    async fn staff_snapshot(
        &self,
        user: UserId,
        now: DateTime<Utc>,
        queue_limit: u32,
    ) -> StorageResult<StaffSnapshot> {
        let st = self.lock();
        let memberships: Vec<CourseMembership> = st
            .member_courses(user)
            .into_iter()
            .filter(|m| {
                matches!(m.role, CourseRole::Owner | CourseRole::Assistant)
                    && m.course.status != CourseStatus::Archived
            })
            .collect();
        let ids: Vec<CourseId> = memberships.iter().map(|m| m.course.id).collect();
        let seen = crate::user::UserFilter {
            mentored_by: Some(user),
            ..crate::user::UserFilter::default()
        };
        let mut queue = st.pending(&ids);
        queue.retain(|p| st.in_filter_scope(&seen, p.course_id, p.submission.student_id));
        queue.truncate(queue_limit as usize);
        let mentor_scopes = memberships
            .iter()
            .filter(|m| m.role == CourseRole::Assistant)
            .filter_map(|m| match st.mentor_scope(m.course.id, user) {
                crate::group::MentorScope::Course => None,
                scope => Some(crate::dashboard::MentoredStudents {
                    course_id: m.course.id,
                    students: st
                        .enrolled_students(m.course.id)
                        .into_iter()
                        .filter(|s| {
                            scope.covers(st.student_groups.get(&(m.course.id, *s)).copied())
                        })
                        .collect(),
                }),
            })
            .collect();
        Ok(StaffSnapshot {
            mentor_scopes,
            courses: memberships
                .iter()
                .map(|m| st.staff_course_data(&m.course, m.role))
                .collect(),
            queue,
            webinars: st.upcoming_webinars(&ids, now),
        })
    }

    async fn staff_course(
        &self,
        course: CourseId,
        role: CourseRole,
    ) -> StorageResult<Option<StaffCourseData>> {
        let st = self.lock();
        Ok(st
            .courses
            .get(&course)
            .map(|r| st.staff_course_data(&r.value, role)))
    }

    async fn gradebook_course(
        &self,
        course: CourseId,
        role: CourseRole,
    ) -> StorageResult<Option<StaffCourseData>> {
        Ok(self
            .staff_course(course, role)
            .await?
            .map(StaffCourseData::without_details))
    }

    async fn student_course(
        &self,
        course: CourseId,
        student: UserId,
        now: DateTime<Utc>,
    ) -> StorageResult<Option<StudentCourseData>> {
        let st = self.lock();
        let Some(row) = st.courses.get(&course) else {
            return Ok(None);
        };
        if !st.enrolled_students(course).contains(&student) {
            return Ok(None);
        }
        Ok(Some(st.student_course_data(&row.value, student, now)))
    }

    async fn course_standings(
        &self,
        course: CourseId,
        now: DateTime<Utc>,
    ) -> StorageResult<Vec<StudentStanding>> {
        let st = self.lock();
        let Some(row) = st.courses.get(&course) else {
            return Ok(Vec::new());
        };
        let course = row.value.clone();
        Ok(st
            .enrolled_students(course.id)
            .into_iter()
            .map(|student| {
                let data = st.student_course_data(&course, student, now);
                let overdue = data
                    .assignments
                    .iter()
                    .filter(|a| a.opens_at <= now)
                    .filter(|a| {
                        let extension = data.extensions.iter().find(|e| e.assignment_id == a.id);
                        effective_deadline(a, extension).due_at < now
                            && !data.submissions.iter().any(|s| s.assignment_id == a.id)
                    })
                    .count();
                StudentStanding {
                    student_id: student,
                    display_name: st
                        .users
                        .get(&student)
                        .map(|u| u.user.display_name.as_str().to_owned())
                        .unwrap_or_default(),
                    overdue: u32::try_from(overdue).unwrap_or(u32::MAX),
                    last_activity: data.last_activity,
                }
            })
            .collect())
    }
}

#[async_trait]
impl ScheduleStore for MemoryStorage {
    async fn schedule_sources(&self, user: UserId) -> StorageResult<ScheduleSources> {
        let st = self.lock();
        let memberships: Vec<CourseMembership> = st
            .member_courses(user)
            .into_iter()
            .filter(|m| m.role != CourseRole::Student || m.course.status != CourseStatus::Draft)
            .collect();
        let mut sources = ScheduleSources::default();
        for m in &memberships {
            let course = m.course.id;
            let student = m.role == CourseRole::Student;
            sources.lessons.extend(
                st.lessons_of(course)
                    .into_iter()
                    .filter(|l| !student || l.published),
            );
            sources.assignments.extend(
                st.assignments_of(course)
                    .into_iter()
                    .filter(|a| !student || a.published),
            );
            sources
                .extensions
                .extend(st.student_extensions_in(course, user));
            sources.quizzes.extend(
                st.quizzes_of(course)
                    .into_iter()
                    .filter(|q| !student || q.published),
            );
        }
        let ids: Vec<CourseId> = memberships.iter().map(|m| m.course.id).collect();
        sources.webinars =
            st.webinars_where(|w| ids.contains(&w.course_id) && w.state != WebinarState::Cancelled);
        sources.courses = memberships.into_iter().map(|m| m.course).collect();
        Ok(sources)
    }
}
