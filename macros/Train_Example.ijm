// SegTrain: every key of Plugins>SegTrain>Train Model..., as a macro.
// Record your own with Plugins>Macros>Record... while using the dialog.
// Keys left out keep their dialog defaults (from the chosen config, or the image calibration).

// Demo data; use your own image and label stacks instead (labels: 0 = background,
// an 8- or 16-bit image of the same size as the image).
run("Create Demo Data", "slices=4 height=192 width=192 seed=1");

run("Train Model...",
      "image=segtrain-demo-image"        // the raw stack (window title)
    + " labels=segtrain-demo-labels"     // its label stack (window title)
    + " config=Semantic2D"               // network and task; its JSON gives every default below
    + " x_nm=5 y_nm=5 z_nm=40"           // voxel size in nm (defaults: image calibration in nm/µm, else config)
    + " gpus=0"                          // GPUs to use; 0 trains on the CPU
    + " cpus=2"                          // CPU threads
    + " precision=auto"                  // auto (bf16 only where the CPU/GPU computes it fast), fp32 or bf16
    + " base_lr=0.02"                    // learning rate the optimiser starts with
    + " iteration_step=1"                // gradient accumulation: one optimiser update every N iterations,
                                         //   so the effective batch is samples_per_batch x N
    + " iteration_save=100"              // a checkpoint every N iterations; must divide iteration_total
    + " iteration_total=300"             // iterations to train
    + " time_budget_minutes=0"           // 0 = train iteration_total; N = train about N minutes (the total,
                                         //   checkpoints and validations are fitted to it)
    + " samples_per_batch=4"             // training windows per iteration (memory grows with it)
    + " validation_fraction=0.1"         // share held out as one block and scored (loss, IoU, Dice); 0 = none
    + " validation_every=[]"             // iterations between validations; empty = at least ten in any run
    + " window_size=1,128,128"           // training window z,y,x in pixels; z must be 1 for 2D configs
    + " scale=auto"                      // shrink the stacks before training: auto (from the objects' size) or 1, 2, ...
    + " ignore_label=[]"                 // sparse labels: the value of unannotated pixels (e.g. 65535); empty = none
    + " model_name=my-model"             // the model's folder name: letters, digits, - _ .
    + " models_folder=[]"                // where models go; empty = ~/.segtrain/models or $SEGTRAIN_MODELS_DIR
    + " fine_tune_from=[]"               // start from this stored model's weights (same config); empty = fresh
    + " seed=0"                          // makes sampling and initial weights repeatable
    + " overwrite");                     // replace an existing model of that name (leave out to refuse)
