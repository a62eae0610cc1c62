"""scheduled jobs: job_run, one row per job and due time (the claim that lets one runner alone
run it, and the record of how it went)

Revision ID: 0018_jobs
Revises: 0017_reply_by_email
Create Date: 2026-12-06 03:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0018_jobs'
down_revision = '0017_reply_by_email'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=40), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(length=24), nullable=False),
        sa.Column('detail', sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run')),
        sa.UniqueConstraint('job', 'due_at', name=op.f('uq_job_run_job')),
    )


def downgrade():
    op.drop_table('job_run')
