from leadbook.cli import main

if __name__ == "__main__":  # not again in a validate worker process (spawned: check.parallel)
    main()
