"""Request and response examples of the main resources, from the API description apps use.

Placeholders of that text (`course_uuid`) are real UUIDs here, and answers carry every field
the server sends, so each example is valid against the schema it illustrates (a test checks).
"""

from __future__ import annotations

from typing import Any

Example = tuple[dict[str, Any] | None, Any]

USER = "123e4567-e89b-12d3-a456-426614174000"
COURSE = "7a783cf3-ff35-4277-a7e4-975bd0630a06"
CARD = "0b8e9f52-3c1d-4f5e-9a7b-2d6c8e1f4a90"
QUIZ = "5e27cfe9-7199-4fa5-968e-a60d8a3bda7c"
ATTEMPT = "8a76005f-c874-4a1c-b2d9-904f6fecf960"
QUESTION = "096cbfe4-b21c-4c7b-97db-a7a4fe034f2f"
OPTION = "734577b8-3a73-4a19-834f-c6ec2eb08b47"
DOC = "4971f43c-2b1d-4624-8c71-c50cb8c3c869"
SESSION = {
    "access": "eyJ0eXAiOiJKV1QiLCJhbGci...",
    "refresh": "eyJ0eXAiOiJKV1QiLCJhbGci...",
    "user": {
        "id": USER,
        "username": "user@example.com",
        "email": "user@example.com",
        "first_name": "John",
        "last_name": "Doe",
    },
}
DUE_CARD = {
    "id": CARD,
    "course": COURSE,
    "question": "What is photosynthesis?",
    "answer": "The process by which plants make food using sunlight",
    "difficulty_level": "medium",
    "tags": ["biology"],
    "explanation": None,
    "source": None,
    "status": "active",
    "next_review_date": "2024-01-20T10:00:00Z",
    "interval_days": 4,
    "ease_factor": 2.5,
    "repetitions": 3,
    "total_reviews": 8,
    "success_rate": 0.75,
    "mastery": "learning",
    "retrievability": None,
    "scheduler": "sm2",
    "last_reviewed_at": "2024-01-16T10:00:00Z",
    "created_at": "2024-01-02T09:00:00Z",
    "updated_at": "2024-01-16T10:00:00Z",
}
NEW_COURSE = {
    "name": "Advanced Calculus",
    "description": "Comprehensive course covering advanced calculus topics",
    "university": "MIT",
    "course_code": "MATH-401",
    "semester": "Spring 2024",
    "academic_year": "2023-2024",
    "credits": 4,
    "language": "English",
    "subject_area": "Mathematics",
    "difficulty_level": "advanced",
    "color": "#3B82F6",
    "icon": "\U0001f4da",
    "start_date": "2024-01-20",
    "end_date": "2024-05-15",
    "exam_date": "2024-05-20",
}
COURSE_OUT = {
    **NEW_COURSE,
    "id": COURSE,
    "scheduler": None,
    "desired_retention": None,
    "fsrs_parameters": None,
    "status": "active",
    "section_count": 0,
    "created_at": "2024-01-20T10:00:00Z",
    "updated_at": "2024-01-20T10:00:00Z",
}
SCHEDULE = {
    "next_review_date": "2024-01-20T10:00:00Z",
    "scheduler": "sm2",
    "interval_days": 4,
    "ease_factor": 2.5,
    "repetitions": 3,
    "sm2_interval_days": 4,
    "fsrs_state": 2,
    "fsrs_step": None,
    "fsrs_stability": None,
    "fsrs_difficulty": None,
    "fsrs_due": None,
    "last_reviewed_at": "2024-01-16T10:00:00Z",
    "total_reviews": 8,
    "successes": 6,
    "lapses": 1,
}
REVIEWED = {
    **SCHEDULE,
    "next_review_date": "2024-01-30T10:05:00Z",
    "interval_days": 10,
    "ease_factor": 2.5,
    "repetitions": 4,
    "sm2_interval_days": 10,
    "last_reviewed_at": "2024-01-20T10:05:00Z",
    "total_reviews": 9,
    "successes": 7,
}
REVIEW_RESULT = {
    "id": CARD,
    "status": "active",
    "next_review_date": "2024-01-30T10:05:00Z",
    "interval_days": 10,
    "ease_factor": 2.5,
    "repetitions": 4,
    "total_reviews": 9,
    "success_rate": 0.78,
    "mastery": "learning",
    "retrievability": None,
    "scheduler": "sm2",
    "review": {
        "id": "3b2e1f0a-6c5d-4e8f-9a7b-1c2d3e4f5a6b",
        "flashcard": CARD,
        "quality_response": 4,
        "rating": 3,
        "success": True,
        "response_time_seconds": 12,
        "user_answer": "The process by which plants make food using sunlight",
        "notes": "Need to review the chemical equation",
        "scheduler": "sm2",
        "reviewed_at": "2024-01-20T10:05:00Z",
        "recorded_at": "2024-01-20T10:05:00Z",
        "undone": False,
        "undone_at": None,
        "before": SCHEDULE,
        "after": REVIEWED,
    },
}
FLASHCARDS = "/api/v1/assessments/flashcards/"
QUIZZES = "/api/v1/assessments/quizzes/"
ATTEMPTS = "/api/v1/assessments/quiz-attempts/{attempt_id}/"

EXAMPLES: dict[tuple[str, str], Example] = {
    ("post", "/api/v1/accounts/register/"): (
        {
            "email": "user@example.com",
            "password": "password123",
            "username": "user@example.com",
            "first_name": "John",
            "last_name": "Doe",
        },
        SESSION,
    ),
    ("post", "/api/v1/accounts/login/"): (
        {"username": "user@example.com", "password": "password123"},
        SESSION,
    ),
    ("post", "/api/v1/accounts/password-reset/"): ({"email": "user@example.com"}, None),
    ("patch", "/api/v1/accounts/profile/"): (
        {
            "first_name": "John",
            "last_name": "Doe",
            "bio": "Computer Science student interested in AI",
            "timezone": "America/New_York",
            "language_preference": "en",
            "learning_style": "visual",
            "study_goals": ["master_calculus", "prepare_for_exams"],
        },
        None,
    ),
    ("post", "/api/v1/accounts/feedback/"): (
        {
            "feedback_type": "feature_request",
            "subject": "Add more quiz types",
            "message": "It would be great to have true/false questions",
        },
        None,
    ),
    ("post", "/api/v1/courses/"): (NEW_COURSE, COURSE_OUT),
    ("post", FLASHCARDS): (
        {
            "course": COURSE,
            "question": "What is the capital of France?",
            "answer": "Paris",
            "difficulty_level": "easy",
            "tags": ["geography", "europe"],
            "explanation": "Paris is the capital and largest city of France.",
        },
        None,
    ),
    ("get", FLASHCARDS + "due/"): (None, [DUE_CARD]),
    ("post", FLASHCARDS + "{card_id}/review/"): (
        {
            "quality_response": 4,
            "response_time_seconds": 12,
            "user_answer": "The process by which plants make food using sunlight",
            "notes": "Need to review the chemical equation",
        },
        REVIEW_RESULT,
    ),
    ("get", FLASHCARDS + "stats/"): (
        None,
        {
            "total_flashcards": 150,
            "active_flashcards": 120,
            "due_flashcards": 25,
            "mastered_flashcards": 45,
            "average_success_rate": 0.82,
            "by_difficulty": [
                {"difficulty_level": "easy", "count": 50},
                {"difficulty_level": "medium", "count": 70},
                {"difficulty_level": "hard", "count": 30},
            ],
            "by_mastery": [
                {"level": "new", "count": 20},
                {"level": "learning", "count": 55},
                {"level": "difficult", "count": 30},
                {"level": "mastered", "count": 45},
            ],
        },
    ),
    ("post", QUIZZES): (
        {
            "course": COURSE,
            "title": "Calculus Final Review",
            "description": "Comprehensive review of calculus concepts",
            "quiz_type": "practice",
            "time_limit_minutes": 60,
            "passing_score": 70,
            "max_attempts": 3,
            "randomize_questions": True,
            "show_results_immediately": True,
        },
        None,
    ),
    ("post", QUIZZES + "{quiz_id}/questions/"): (
        {
            "question_text": "What is the derivative of x\u00b2?",
            "question_type": "multiple_choice",
            "points": 5,
            "options": [
                {"text": "2x", "is_correct": True},
                {"text": "x", "is_correct": False},
                {"text": "x\u00b2", "is_correct": False},
                {"text": "2x\u00b2", "is_correct": False},
            ],
            "explanation": "The power rule states that d/dx(x^n) = nx^(n-1)",
        },
        None,
    ),
    ("post", QUIZZES + "{quiz_id}/start_attempt/"): (
        None,
        {
            "attempt_id": ATTEMPT,
            "quiz_id": QUIZ,
            "attempt_number": 1,
            "started_at": "2024-01-20T10:00:00Z",
            "expires_at": "2024-01-20T11:00:00Z",
            "time_limit_minutes": 60,
            "questions_order": [QUESTION],
            "status": "in_progress",
        },
    ),
    ("post", ATTEMPTS + "submit_response/"): (
        {
            "question": QUESTION,
            "selected_options": [OPTION],
            "text_answer": "The derivative is 2x",
            "time_spent_seconds": 45,
        },
        None,
    ),
    ("post", ATTEMPTS + "complete/"): (
        None,
        {
            "attempt_id": ATTEMPT,
            "quiz_id": QUIZ,
            "status": "completed",
            "score": 85,
            "possible_points": 100,
            "percentage_score": 85.0,
            "passed": True,
            "needs_review": False,
            "completed_at": "2024-01-20T11:00:00Z",
            "time_taken_minutes": 45,
            "correct_answers": 17,
            "total_questions": 20,
            "detailed_results": [
                {
                    "question_id": QUESTION,
                    "question": "What is the derivative of x\u00b2?",
                    "question_type": "multiple_choice",
                    "user_answer": "2x",
                    "selected_options": [OPTION],
                    "correct_answer": "2x",
                    "correct_options": [OPTION],
                    "is_correct": True,
                    "needs_review": False,
                    "points_earned": 5,
                    "points_possible": 5,
                    "explanation": "The power rule states that d/dx(x^n) = nx^(n-1)",
                }
            ],
        },
    ),
    ("post", "/api/v1/assessments/{assessment_id}/generate_content/"): (
        {
            "topic": "Calculus Derivatives",
            "content": "Focus on power rule, product rule, and chain rule",
            "document_ids": [DOC],
            "use_adaptive": True,
            "flashcard_count": 20,
            "quiz_questions": 15,
            "difficulty_level": "medium",
        },
        None,
    ),
    ("post", "/api/v1/chat/chats/"): (
        {
            "title": "Calculus Study Session",
            "course": COURSE,
            "chat_type": "tutoring",
            "ai_model": "gpt-4",
            "temperature": 0.7,
            "system_prompt": "You are a helpful calculus tutor focused on clear explanations.",
        },
        None,
    ),
    ("post", "/api/v1/chat/chats/{chat_id}/send_message/"): (
        {
            "content": "Can you explain the chain rule?",
            "message_type": "question",
            "context_documents": [DOC],
            "include_course_context": True,
        },
        None,
    ),
}
