from protoc_gen_nexus.java.main import main

main()
