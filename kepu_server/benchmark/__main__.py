from kepu_server.benchmark.run import main

main()
