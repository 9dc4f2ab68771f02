"""Start-up: the one settings object an entry point builds and passes down, preparing the private
data folder and the schema on first start (with the first admin), and loading the synthetic demo
release into an empty database."""
