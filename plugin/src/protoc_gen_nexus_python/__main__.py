from protoc_gen_nexus_python.main import main

main()
