from protoc_gen_nexus.python.main import main

main()
