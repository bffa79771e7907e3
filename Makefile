# The two commands of the README: `make run` and `make test`.
.DEFAULT_GOAL := help
.PHONY: help install train run test lint lock clean

help:
	@echo "make run    set up, train if the data changed, start the bot"
	@echo "make test   set up and run the whole test suite"
	@echo "make lint   ruff and mypy on bot/ and actions/"
	@echo "make lock   re-pin requirements/*.lock from requirements/*.in"

install:
	@bin/setup

train: install
	@bin/train

run: train
	@.venv/app/bin/python -m bot.stack

lint: install
	@.venv/app/bin/ruff check bot actions tests bench
	@.venv/app/bin/ruff format --check bot actions tests bench
	@.venv/app/bin/mypy bot actions

test: lint
	@bin/test

lock:
	@bin/lock

clean:
	rm -rf .venv models .rasa .pytest_cache .mypy_cache .ruff_cache
